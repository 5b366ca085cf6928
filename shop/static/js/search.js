// Search suggestions under the header search box: the ARIA 1.2 combobox pattern.
// The input keeps focus; arrow keys move aria-activedescendant through the listbox options,
// Enter opens the active option (or submits the search), Escape closes the list.
(function () {
  "use strict";
  var input = document.getElementById("site-search");
  var list = document.getElementById("site-search-list");
  if (!input || !list || !window.fetch) return;

  var url = input.getAttribute("data-suggest-url");
  var options = [];
  var active = -1;
  var timer = null;
  var latest = 0;

  function close() {
    list.hidden = true;
    list.textContent = "";
    options = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function setActive(index) {
    if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
    active = index;
    if (active < 0) {
      input.removeAttribute("aria-activedescendant");
      return;
    }
    options[active].setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", options[active].id);
    options[active].scrollIntoView({ block: "nearest" });
  }

  function addOption(kind, label, href) {
    var li = document.createElement("li");
    li.id = "site-search-option-" + options.length;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", "false");
    li.className = "suggestion suggestion-" + kind.toLowerCase();
    li.dataset.href = href;
    var tag = document.createElement("span");
    tag.className = "suggestion-kind";
    tag.textContent = kind;
    li.appendChild(tag);
    li.appendChild(document.createTextNode(" " + label));
    li.addEventListener("mousedown", function (event) {
      event.preventDefault(); // keep focus in the input until we navigate
      window.location.assign(href);
    });
    list.appendChild(li);
    options.push(li);
  }

  function render(data) {
    close();
    (data.products || []).forEach(function (p) { addOption("Product", p.name + " · " + p.brand, p.url); });
    (data.categories || []).forEach(function (c) { addOption("Category", c.name, c.url); });
    (data.articles || []).forEach(function (a) { addOption("Article", a.title, a.url); });
    if (!options.length) return;
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function fetchSuggestions() {
    var q = input.value;
    if (!q.trim()) {
      close();
      return;
    }
    var ticket = ++latest;
    fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (ticket === latest && data && document.activeElement === input) render(data);
      })
      .catch(close);
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(fetchSuggestions, 120);
  });

  input.addEventListener("keydown", function (event) {
    var open = !list.hidden && options.length > 0;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (!open) { fetchSuggestions(); return; }
      setActive(active + 1 >= options.length ? 0 : active + 1);
    } else if (event.key === "ArrowUp") {
      if (!open) return;
      event.preventDefault();
      setActive(active <= 0 ? options.length - 1 : active - 1);
    } else if (event.key === "Enter") {
      if (open && active >= 0) {
        event.preventDefault();
        window.location.assign(options[active].dataset.href);
      }
    } else if (event.key === "Escape") {
      if (open) {
        event.preventDefault();
        close();
      }
    }
  });

  input.addEventListener("blur", function () { window.setTimeout(close, 150); });
})();

// Progressive enhancement of the add-to-cart form: add with fetch, update the mini-cart.
// Without JavaScript (or if anything fails) the form posts normally.
(function () {
  "use strict";

  function money(value) {
    var number = Number(value);
    return "£" + number.toLocaleString("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  // The lines' pictures by product slug: those already in the drawer, and the product page's
  // main picture for the product just added (the cart's JSON carries no image URLs).
  function linePictures(list) {
    var pictures = {};
    list.querySelectorAll("[data-line-picture]").forEach(function (holder) {
      pictures[holder.getAttribute("data-line-picture")] = holder;
    });
    var gallery = document.querySelector("[data-gallery][data-product]");
    var main = gallery && gallery.querySelector("picture");
    var slug = gallery && gallery.getAttribute("data-product");
    if (main && !pictures[slug]) {
      var holder = document.createElement("span");
      holder.setAttribute("data-line-picture", slug);
      var copy = main.cloneNode(true);
      copy.className = "line-image";
      copy.querySelectorAll("source, img").forEach(function (node) { node.setAttribute("sizes", "3rem"); });
      var img = copy.querySelector("img");
      img.alt = "";
      img.removeAttribute("fetchpriority");
      img.setAttribute("loading", "lazy");
      holder.appendChild(copy);
      pictures[slug] = holder;
    }
    return pictures;
  }

  function renderMinicart(cart) {
    var root = document.querySelector("[data-minicart]");
    if (!root) { return; }
    var count = root.querySelector("[data-minicart-count]");
    var subtotal = root.querySelector("[data-minicart-subtotal]");
    var empty = root.querySelector("[data-minicart-empty]");
    var list = root.querySelector("[data-minicart-lines]");
    var summary = root.querySelector("summary");
    count.textContent = String(cart.item_count);
    subtotal.textContent = money(cart.subtotal);
    summary.setAttribute("aria-label", "Cart: " + cart.item_count + (cart.item_count === 1 ? " item, " : " items, ") + money(cart.subtotal));
    empty.hidden = cart.items.length > 0;
    var pictures = linePictures(list);
    while (list.firstChild) { list.removeChild(list.firstChild); }
    cart.items.forEach(function (line) {
      var item = document.createElement("li");
      if (pictures[line.product_slug]) { item.appendChild(pictures[line.product_slug].cloneNode(true)); }
      var link = document.createElement("a");
      link.href = "/products/" + encodeURIComponent(line.product_slug);
      link.textContent = line.product_name;
      item.appendChild(link);
      [["minicart-variant", line.variant_label], ["minicart-qty", "× " + line.quantity],
       ["minicart-total", money(line.line_total)]].forEach(function (part) {
        var span = document.createElement("span");
        span.className = part[0];
        span.textContent = part[1];
        item.appendChild(document.createTextNode(" "));
        item.appendChild(span);
      });
      list.appendChild(item);
    });
  }

  function enhance(form) {
    var status = form.querySelector("[data-add-status]");
    form.addEventListener("submit", function (event) {
      if (!window.fetch) { return; }
      event.preventDefault();
      var quantity = parseInt(form.elements.quantity.value, 10);
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      status.textContent = "Adding…";
      fetch(form.getAttribute("data-api"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify({ sku: form.elements.sku.value, quantity: quantity })
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        if (result.ok) {
          renderMinicart(result.body);
          status.textContent = "Added to your cart.";
        } else {
          var reasons = (result.body.invalid_params || []).map(function (p) { return p.reason; });
          status.textContent = reasons.length ? reasons.join(" ") : (result.body.detail || "Could not add to the cart.");
        }
      }).catch(function () {
        form.submit();
      }).then(function () {
        button.disabled = false;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-add-to-cart]"), enhance);
  });
})();

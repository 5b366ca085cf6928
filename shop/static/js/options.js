// The product page's option selectors (Colour, Size, ...): keep them and the posted SKU in
// step, and disable the values that no variant in stock offers with the choices before them.
// The server renders the same state for the preselected variant, so this is enhancement only.
(function () {
  "use strict";

  function variantsOf(skuSelect) {
    return Array.prototype.map.call(skuSelect.options, function (option) {
      return {
        option: option,
        options: JSON.parse(option.dataset.options || "{}"),
        inStock: Number(option.dataset.stock) > 0,
      };
    });
  }

  function matches(variant, wanted) {
    return Object.keys(wanted).every(function (name) {
      return variant.options[name] === wanted[name];
    });
  }

  // The page's price for the chosen variant: the texts come rendered from the server.
  function showPrice(data) {
    var box = document.querySelector("[data-price-box]");
    if (!box) return;
    var now = box.querySelector("[data-price-now]");
    var was = box.querySelector("[data-was]");
    var ends = box.querySelector("[data-sale-ends]");
    if (now) now.textContent = data.price || "";
    if (was) { was.textContent = data.was || ""; was.hidden = !data.was; }
    if (ends) { ends.textContent = data.ends || ""; ends.hidden = !data.ends; }
  }

  function setUp(form) {
    var skuSelect = form.querySelector('select[name="sku"]');
    var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-option]"));
    if (!skuSelect || !selects.length) return;
    var variants = variantsOf(skuSelect);
    var pick = form.querySelector("[data-variant-pick]");
    if (pick) pick.hidden = true;

    // Each select offers the values some variant in stock has together with the choices of
    // the selects before it; a choice that became unavailable moves to the first available.
    function refresh() {
      var wanted = {};
      selects.forEach(function (select) {
        var name = select.dataset.option;
        Array.prototype.forEach.call(select.options, function (option) {
          var trial = Object.assign({}, wanted);
          trial[name] = option.value;
          option.disabled = !variants.some(function (v) { return v.inStock && matches(v, trial); });
        });
        if (select.selectedOptions[0] && select.selectedOptions[0].disabled) {
          var first = Array.prototype.find.call(select.options, function (o) { return !o.disabled; });
          if (first) select.value = first.value;
        }
        wanted[name] = select.value;
      });
      var match = variants.find(function (v) { return v.inStock && matches(v, wanted); });
      skuSelect.value = match ? match.option.value : "";
      var button = form.querySelector('button[type="submit"]');
      if (button) button.disabled = !match;
      if (match) showPrice(match.option.dataset);
    }

    selects.forEach(function (select) { select.addEventListener("change", refresh); });
    refresh();
  }

  document.querySelectorAll("form[data-options-form]").forEach(setUp);
})();

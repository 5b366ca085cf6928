// Progressive enhancement only: every page works without JavaScript.
document.documentElement.classList.add("js");

// Small-screen helpers: the header menu and the filter drawer are toggled by buttons that only
// exist for script users (they start `hidden`); without JS both stay open in the page.
(function () {
  "use strict";

  function toggler(button, target, openClass) {
    button.hidden = false;
    function set(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      target.classList.toggle(openClass, open);
    }
    button.addEventListener("click", function () {
      set(button.getAttribute("aria-expanded") !== "true");
    });
    return set;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var menuButton = document.querySelector(".menu-toggle");
    var menu = document.getElementById("site-menu");
    var closeMenu = menuButton && menu ? toggler(menuButton, menu, "open") : null;

    var filtersButton = document.querySelector(".filters-toggle");
    var filters = document.getElementById("product-filters");
    var setFilters = filtersButton && filters ? toggler(filtersButton, filters, "open") : null;
    var closeButton = document.querySelector("[data-filters-close]");
    if (setFilters && closeButton) {
      closeButton.hidden = false;
      closeButton.addEventListener("click", function () { setFilters(false); filtersButton.focus(); });
    }

    // Sorting is a choice, not a form to fill in: apply it at once.
    document.querySelectorAll("select[data-apply-on-change]").forEach(function (select) {
      select.addEventListener("change", function () { if (select.form) select.form.submit(); });
    });

    // Escape closes whatever drawer is open: the mini-cart, the filters, the menu.
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      var cart = document.querySelector("details[data-minicart][open]");
      if (cart) { cart.open = false; cart.querySelector("summary").focus(); return; }
      if (setFilters && filters.classList.contains("open")) { setFilters(false); filtersButton.focus(); return; }
      if (closeMenu && menu.classList.contains("open")) { closeMenu(false); menuButton.focus(); }
    });

    // Checkout: the summary's delivery line and total follow the chosen delivery method.
    var delivery = document.querySelector(".summary-delivery strong");
    var total = document.querySelector(".summary-total strong");
    document.querySelectorAll("input[data-delivery-price]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (!radio.checked || !delivery || !total) return;
        var price = Number(radio.dataset.deliveryPrice);
        delivery.parentNode.firstChild.textContent = "Delivery (" + radio.dataset.deliveryLabel + "): ";
        delivery.textContent = price === 0 ? "Free" : "£" + price.toFixed(2);
        total.textContent = radio.dataset.orderTotal;
      });
    });
  });
})();

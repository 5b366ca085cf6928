// Product gallery: thumbnails, arrow keys and swipe switch the large picture. Without this
// script every picture is shown one under the other and thumbnails are in-page links.
(function () {
  "use strict";

  function setUp(gallery) {
    var stage = gallery.querySelector("[data-gallery-stage]");
    var slides = Array.prototype.slice.call(gallery.querySelectorAll("[data-gallery-slide]"));
    var thumbs = Array.prototype.slice.call(gallery.querySelectorAll("[data-gallery-thumb]"));
    if (slides.length < 2) return;
    var current = 0;

    function show(index) {
      current = (index + slides.length) % slides.length;
      slides.forEach(function (slide, i) { slide.hidden = i !== current; });
      thumbs.forEach(function (thumb, i) {
        if (i === current) thumb.setAttribute("aria-current", "true");
        else thumb.removeAttribute("aria-current");
      });
      gallery.setAttribute("data-gallery-current", String(current));
    }

    thumbs.forEach(function (thumb, i) {
      thumb.addEventListener("click", function (event) {
        event.preventDefault();
        show(i);
      });
    });
    gallery.addEventListener("keydown", function (event) {
      if (event.key === "ArrowRight") { show(current + 1); event.preventDefault(); }
      else if (event.key === "ArrowLeft") { show(current - 1); event.preventDefault(); }
      else return;
      if (gallery.contains(document.activeElement) && document.activeElement !== stage &&
          thumbs.indexOf(document.activeElement) !== -1) {
        thumbs[current].focus();
      }
    });

    var startX = null, startY = null;
    stage.addEventListener("touchstart", function (event) {
      if (event.touches.length !== 1) return;
      startX = event.touches[0].clientX;
      startY = event.touches[0].clientY;
    }, { passive: true });
    stage.addEventListener("touchend", function (event) {
      if (startX === null) return;
      var dx = event.changedTouches[0].clientX - startX;
      var dy = event.changedTouches[0].clientY - startY;
      startX = null;
      if (Math.abs(dx) > 40 && Math.abs(dx) > Math.abs(dy)) show(current + (dx < 0 ? 1 : -1));
    });

    gallery.classList.add("gallery-enhanced");
    show(0);
  }

  document.querySelectorAll("[data-gallery]").forEach(setUp);
})();

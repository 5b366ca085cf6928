// Starts Swagger UI on the shop's own OpenAPI document (kept out of the page: no inline script).
window.addEventListener("DOMContentLoaded", function () {
  var spec = document.getElementById("api-docs-script").dataset.spec;
  window.SwaggerUIBundle({ url: spec, dom_id: "#swagger-ui" });
});

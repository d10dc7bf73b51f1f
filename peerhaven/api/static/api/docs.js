/* Starts Swagger UI on /api/v1/docs from settings the page carries as JSON (no inline script:
   the CSP allows scripts from 'self' only). Session calls made from "Try it out" send the CSRF
   token, which the API requires for unsafe methods. */
(function () {
  "use strict";
  var settingsNode = document.getElementById("swagger-settings");
  var root = document.getElementById("swagger-ui");
  if (!settingsNode || !root || typeof SwaggerUIBundle === "undefined") {
    return;
  }
  var config = JSON.parse(settingsNode.textContent);
  var csrfToken = root.dataset.csrfToken;
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis];
  config.requestInterceptor = function (request) {
    if (csrfToken) {
      request.headers["X-CSRFToken"] = csrfToken;
    }
    return request;
  };
  SwaggerUIBundle(config);
})();

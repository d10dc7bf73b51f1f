// Small progressive enhancements. No inline scripts anywhere (CSP); behaviour hangs off data-*.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Confirm destructive actions: <form data-confirm="...">.
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) {
          event.preventDefault();
        }
      });
    });
  });
})();

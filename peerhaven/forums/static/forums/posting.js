// Forum posting: move focus to the reply form when a quote link opens it, so keyboard and
// screen-reader users land where the quoted text was inserted.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    if (window.location.hash === "#reply") {
      var field = document.querySelector("form.compose textarea");
      if (field) {
        field.focus();
        field.setSelectionRange(field.value.length, field.value.length);
      }
    }
  });
})();

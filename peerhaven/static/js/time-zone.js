// Sign-up: tells the server the browser's time zone (an IANA name such as "Europe/Madrid")
// through a hidden field marked data-detect-time-zone. Without script the member keeps the
// default zone and can choose theirs on the profile page.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var zone = "";
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      return;
    }
    document.querySelectorAll("input[data-detect-time-zone]").forEach(function (input) {
      if (!input.value) {
        input.value = zone;
      }
    });
  });
})();

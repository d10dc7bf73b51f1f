// The PHI guard's editor (components/phi_textarea.html). htmx leaves 4xx answers unswapped; the
// check's "too long" (400) and "slow down" (429) answers are kind partials the author must see.
(function () {
  "use strict";
  if (window.peerhavenPhiGuard) {
    return;  // the component may appear more than once on a page
  }
  window.peerhavenPhiGuard = true;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if ((status === 400 || status === 429) && event.detail.elt.closest("[data-phi-guard]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();

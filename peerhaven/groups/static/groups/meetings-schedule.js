// The scheduling form: show only the fields that matter for the chosen frequency and end.
// Progressive enhancement: without this script every field is shown and the server validates.
(function () {
  "use strict";
  function fieldOf(name) {
    var input = document.querySelector('.schedule-form [name="' + name + '"]');
    return input ? input.closest(".field") : null;
  }
  function show(name, visible) {
    var field = fieldOf(name);
    if (field) { field.hidden = !visible; }
  }
  function checked(name) {
    var input = document.querySelector('.schedule-form [name="' + name + '"]:checked');
    return input ? input.value : "";
  }
  function update() {
    var frequency = checked("frequency");
    var ends = checked("ends");
    var repeating = frequency !== "once";
    show("weekdays", frequency === "weekly" || frequency === "biweekly");
    show("nth", frequency === "monthly_nth");
    show("month_weekday", frequency === "monthly_nth");
    show("ends", repeating);
    show("until", repeating && ends === "on_date");
    show("count", repeating && ends === "after_count");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector(".schedule-form");
    if (!form) { return; }
    form.addEventListener("change", update);
    update();
  });
})();

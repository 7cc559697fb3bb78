// The counter form: show only the chosen agency's services, and filter them by a typed word.
(function () {
  "use strict";
  var form = document.getElementById("counter-form");
  if (!form) return;
  var agency = document.getElementById("agency");
  var filter = document.getElementById("service-filter");
  function apply() {
    var chosen = agency.value;
    var words = filter.value.toLowerCase().trim();
    form.querySelectorAll(".service-group").forEach(function (group) {
      var mine = !chosen || group.getAttribute("data-agency") === chosen;
      group.hidden = !mine;
      if (!mine) {  // another agency's services cannot be served here
        group.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = false; });
      }
      group.querySelectorAll(".check").forEach(function (item) {
        var box = item.querySelector("input");
        item.hidden = words !== "" && item.getAttribute("data-text").indexOf(words) < 0 && !box.checked;
      });
    });
  }
  agency.addEventListener("change", apply);
  filter.addEventListener("input", apply);
  apply();
})();

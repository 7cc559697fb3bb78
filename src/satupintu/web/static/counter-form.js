// The counter form: show only the chosen agency's services, and filter them by a typed word
// (the filter box shows when the agency has many services).
(function () {
  "use strict";
  var MANY = 6;
  var form = document.getElementById("counter-form");
  if (!form) return;
  var agency = document.getElementById("agency");
  var filter = document.getElementById("service-filter");
  var filterField = document.getElementById("service-filter-field");
  function apply() {
    var chosen = agency.value;
    var words = filter.value.toLowerCase().trim();
    var shown = 0;
    form.querySelectorAll(".service-group").forEach(function (group) {
      var mine = !chosen || group.getAttribute("data-agency") === chosen;
      if (mine) shown += group.querySelectorAll(".check").length;
      group.hidden = !mine;
      if (!mine) {  // another agency's services cannot be served here
        group.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = false; });
      }
      group.querySelectorAll(".check").forEach(function (item) {
        var box = item.querySelector("input");
        item.hidden = words !== "" && item.getAttribute("data-text").indexOf(words) < 0 && !box.checked;
      });
    });
    filterField.hidden = shown < MANY && words === "";
  }
  agency.addEventListener("change", apply);
  filter.addEventListener("input", apply);
  apply();
})();

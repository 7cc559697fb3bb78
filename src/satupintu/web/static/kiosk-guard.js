// Kiosk: a ticket screen is the citizen's until the kiosk has been back at its start. Loaded in
// the <head> (before anything shows). The start screen counts its showings in sessionStorage; a
// ticket screen remembers the count when it was first shown, and if the start has been shown
// since (the next citizen's turn), the page is hidden and replaced by the start: Back, Forward
// or a page the browser kept cannot bring a previous citizen's ticket back.
(function () {
  "use strict";
  var root = document.documentElement;
  var home = root.getAttribute("data-kiosk-home");
  if (!home) return;
  var store;
  try { store = window.sessionStorage; } catch (e) { return; }
  var starts = parseInt(store.getItem("kiosk-starts") || "0", 10);
  var ticket = root.getAttribute("data-kiosk-ticket");
  if (!ticket) {  // the start screen
    if (root.getAttribute("data-kiosk-start") === "1") store.setItem("kiosk-starts", String(starts + 1));
    return;
  }
  function check() {
    var now = parseInt(store.getItem("kiosk-starts") || "0", 10);
    var seen = store.getItem("kiosk-ticket:" + ticket);
    if (seen === null) { store.setItem("kiosk-ticket:" + ticket, String(now)); return; }
    if (now > parseInt(seen, 10)) {
      root.style.visibility = "hidden";
      location.replace(home);
    }
  }
  check();
  window.addEventListener("pageshow", function (ev) { if (ev.persisted) check(); });
})();

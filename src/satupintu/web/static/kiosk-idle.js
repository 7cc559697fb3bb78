// Kiosk idle timeout. After data-idle-seconds without a touch, a key or typing, the screen goes
// back to the kiosk's start (data-idle-home) with location.replace, so the page left behind (a
// half-finished choice, the previous citizen's ticket) is not in the history to come back to.
// The last few seconds are counted down on screen. A ticket page brought back from the browser's
// back/forward cache is left at once.
(function () {
  "use strict";
  var body = document.body;
  var home = body.dataset.idleHome;
  var seconds = parseInt(body.dataset.idleSeconds || "0", 10);
  var note = document.getElementById("kiosk-idle-note");
  if (body.classList.contains("ticket-screen")) {
    window.addEventListener("pageshow", function (ev) { if (ev.persisted) location.replace(home); });
  }
  if (!home || !(seconds > 0)) return;
  var warnAt = Math.min(10, Math.max(3, Math.floor(seconds / 4)));
  var last = Date.now();

  function touched() {
    last = Date.now();
    if (note && !note.hidden) note.hidden = true;
  }
  ["pointerdown", "keydown", "input", "touchstart", "wheel"].forEach(function (type) {
    document.addEventListener(type, touched, { capture: true, passive: true });
  });

  setInterval(function () {
    var left = seconds - Math.floor((Date.now() - last) / 1000);
    if (left <= 0) {
      location.replace(home);
      return;
    }
    if (note && left <= warnAt) {
      note.hidden = false;
      note.textContent = note.dataset.text + " " + left + " " + note.dataset.unit + ". " + note.dataset.touch;
    }
  }, 250);
})();

// The kiosk's ticket screen. It prints as soon as it shows (data-autoprint; ?cetak=0 turns that
// off; a kiosk whose thermal printer the server drives does not print through the browser).
// "Cetak ulang" prints again; "Selesai" goes back to the kiosk's start *replacing* this entry in
// the history, so Back cannot bring the previous citizen's ticket onto the screen.
(function () {
  "use strict";
  var body = document.body;
  var auto = body.dataset.autoprint === "1" && new URLSearchParams(location.search).get("cetak") !== "0";
  if (auto) window.addEventListener("load", function () { window.print(); });
  var again = document.getElementById("print");
  if (again && again.type === "button") again.addEventListener("click", function () { window.print(); });
  var done = document.getElementById("done");
  if (done) done.addEventListener("click", function (ev) {
    ev.preventDefault();
    location.replace(done.href);
  });
})();

// Kiosk: check in by holding the booking's QR code up to the kiosk's camera.
// The camera's frames are decoded here, in the browser (jsQR, served from this app: no CDN);
// the code read fills the booking-code field and sends the same form a typed code sends.
// Without a camera, or when the browser refuses it, the button says so and typing still works.
(function () {
  "use strict";
  var button = document.getElementById("scan-camera");
  var form = document.getElementById("check-in-form");
  if (!button || !form) return;
  var input = document.getElementById("booking-code");
  var video = document.getElementById("scan-video");
  var status = document.getElementById("scan-status");
  var canScan = !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.jsQR);
  button.hidden = !canScan;
  if (!canScan) return;

  var stream = null;
  var timer = null;
  var SCAN_EVERY_MS = 150;
  var GIVE_UP_MS = 60000;

  function stop() {
    if (timer) clearTimeout(timer);
    timer = null;
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    video.hidden = true;
    button.disabled = false;
  }

  function say(text) { status.textContent = text; }

  button.addEventListener("click", function () {
    if (stream) return;
    button.disabled = true;
    say(button.dataset.starting);
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        return video.play();
      })
      .then(function () {
        say(button.dataset.looking);
        var canvas = document.createElement("canvas");
        var ctx = canvas.getContext("2d", { willReadFrequently: true });
        var started = Date.now();
        var look = function () {
          if (!stream) return;
          if (video.readyState >= 2 && video.videoWidth) {
            canvas.width = video.videoWidth;
            canvas.height = video.videoHeight;
            ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
            var frame = ctx.getImageData(0, 0, canvas.width, canvas.height);
            var found = window.jsQR(frame.data, frame.width, frame.height, { inversionAttempts: "attemptBoth" });
            if (found && found.data && found.data.trim()) {
              stop();
              input.value = found.data.trim().toUpperCase();
              say(button.dataset.found + " " + input.value);
              form.submit();
              return;
            }
          }
          if (Date.now() - started > GIVE_UP_MS) {
            stop();
            say(button.dataset.timeout);
            return;
          }
          timer = setTimeout(look, SCAN_EVERY_MS);
        };
        look();
      })
      .catch(function () {
        stop();
        say(button.dataset.denied);
      });
  });
})();

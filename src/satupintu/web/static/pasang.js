// /pasang: poll the pairing's state every few seconds; once the manager has typed the code the
// server sets the device cookie (HttpOnly: this script never sees the token) and names the
// screen to open. An expired code is said so, and a fresh one is fetched by reloading.
(function () {
  const d = document.body.dataset;
  const left = document.getElementById("left"), state = document.getElementById("state");
  let secondsLeft = parseInt(d.secondsLeft || "0", 10), delay = 3000, done = false;

  function showLeft() {
    if (secondsLeft <= 0) return;
    left.textContent = secondsLeft < 60 ? d.labelLeftSeconds
      : d.labelLeft.replace("{minutes}", String(Math.ceil(secondsLeft / 60)));
  }
  function expired() {
    done = true;
    document.getElementById("waiting").hidden = true;
    document.getElementById("expired").hidden = false;
    setTimeout(() => location.reload(), 8000);  // a fresh code without anyone touching the screen
  }
  setInterval(() => { if (!done) { secondsLeft -= 1; showLeft(); } }, 1000);

  function poll() {
    if (done) return;
    fetch("/pasang/status", { credentials: "same-origin", cache: "no-store" }).then(r => {
      if (r.status === 429) { delay = Math.min(delay * 2, 30000); throw new Error("busy"); }
      return r.json();
    }).then(s => {
      delay = 3000;
      state.classList.remove("offline");
      state.textContent = "";
      if ((s.state === "paired" || s.state === "delivered") && s.next) {
        done = true; state.textContent = d.labelPaired; location.replace(s.next); return;
      }
      if (s.state === "expired") { expired(); return; }
      if (s.state === "unknown" || s.state === "delivered") { done = true; location.reload(); return; }
      if (typeof s.seconds_left === "number") { secondsLeft = s.seconds_left; showLeft(); }
    }).catch(() => {
      state.classList.add("offline");
      state.textContent = d.labelOffline;
    }).finally(() => { if (!done) setTimeout(poll, delay); });
  }
  setTimeout(poll, delay);
})();

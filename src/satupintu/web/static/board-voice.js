// The display board's voice: each call is a chime and recorded Indonesian clips played one after
// another (HTMLAudioElement, preloaded), in a queue so calls never talk over each other. The
// browser's speech synthesis is used only where it has an Indonesian voice AND the site prefers
// it (or no clips exist). A visible state: "Suara aktif", a "Ketuk untuk mengaktifkan suara"
// button for the browser's autoplay rule, or a "Suara mati" warning when the board cannot speak.
(function () {
  const box = document.getElementById("voice-state");
  const holder = document.getElementById("voice-clips");
  if (!box || !holder) return;
  const site = box.dataset.site;
  const label = box.querySelector(".voice-label");
  const button = box.querySelector("button");
  const T = box.dataset;
  let config = null;
  let available = new Set();
  const elements = new Map();
  const queue = [];
  let busy = false, locked = false, failed = false;

  function idVoice() {
    if (!("speechSynthesis" in window)) return null;
    return speechSynthesis.getVoices().find(v => v.lang && v.lang.toLowerCase().replace("_", "-").startsWith("id")) || null;
  }
  function mode() {
    if (config && config.preference === "peramban" && idVoice()) return "speech";
    if (available.has("chime")) return "clips";
    if (idVoice()) return "speech";
    return "none";
  }
  function show() {
    const m = mode();
    let state = "active", text = T.textActive;
    if (config === null) { state = "starting"; text = T.textStarting; }
    else if (m === "none") { state = "mute"; text = T.textNoVoice; }
    else if (failed) { state = "mute"; text = T.textFailed; }
    else if (locked) { state = "locked"; text = ""; }
    box.dataset.state = state;
    box.dataset.mode = m;
    label.textContent = text;
    button.hidden = state !== "locked";
  }

  function element(key) {
    let a = elements.get(key);
    if (!a) {
      a = document.createElement("audio");
      a.preload = "auto"; a.src = config.base + key; a.dataset.clip = key;
      holder.appendChild(a); elements.set(key, a);
    }
    return a;
  }

  // One clip: resolves true when it ended, false when it could not play; rejects when the
  // browser's autoplay rule refused it (the board then asks for a tap and keeps the call).
  function playClip(key) {
    const a = element(key);
    return new Promise((resolve, reject) => {
      const done = ok => { a.onended = a.onerror = null; resolve(ok); };
      a.onended = () => done(true);
      a.onerror = () => done(false);
      try { a.currentTime = 0; } catch (e) { /* not loaded yet */ }
      const p = a.play();
      if (p && p.catch) p.catch(err => {
        a.onended = a.onerror = null;
        if (err && err.name === "NotAllowedError") reject(err); else resolve(false);
      });
    });
  }

  function say(text) {
    return new Promise(resolve => {
      const u = new SpeechSynthesisUtterance(text);
      u.lang = "id-ID"; u.voice = idVoice(); u.rate = 0.9;
      u.onend = () => resolve(true); u.onerror = () => resolve(false);
      speechSynthesis.speak(u);
    });
  }

  async function speakCall(call) {
    const m = mode();
    const keys = (call.clips && call.clips.length ? call.clips : ["chime"]).filter(k => available.has(k));
    if (m === "speech") {
      if (available.has("chime")) await playClip("chime");
      return say(call.announcement || "");
    }
    if (m === "none") return false;
    let played = 0;
    for (const k of keys) { if (await playClip(k)) played += 1; }
    return played > 0;
  }

  async function pump() {
    if (busy || locked || config === null || !queue.length) return;
    busy = true;
    try {
      while (queue.length && !locked) {
        try {
          const ok = await speakCall(queue[0]);
          queue.shift();
          failed = !ok && mode() !== "none";
        } catch (e) {
          locked = true;  // autoplay refused: the call waits for the tap
        }
        show();
      }
    } finally { busy = false; }
  }

  function announce(call) {
    if (!call) return;
    queue.push(call);
    while (queue.length > 12) queue.shift();  // a long outage: the newest calls only
    pump();
  }

  function unlock() {
    locked = false; failed = false;
    // The gesture gives the page the browser's (sticky) user activation: audio plays from now on.
    show();
    pump();
  }
  button.addEventListener("click", unlock);
  document.addEventListener("pointerdown", () => { if (locked) unlock(); }, { once: false });
  document.addEventListener("keydown", () => { if (locked) unlock(); });

  function probeAutoplay() {
    // Chromium keeps a new AudioContext suspended until a gesture when autoplay needs one.
    try {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      const ctx = new Ctx();
      locked = ctx.state !== "running";
      ctx.close();
    } catch (e) { /* no audio device */ }
  }

  if ("speechSynthesis" in window) speechSynthesis.addEventListener("voiceschanged", show);
  probeAutoplay();
  show();
  fetch("/api/v1/sites/" + encodeURIComponent(site) + "/voice")
    .then(r => (r.ok ? r.json() : Promise.reject(r.status)))
    .then(c => { config = c; available = new Set(c.clips); available.forEach(element); show(); pump(); })
    .catch(() => { config = { preference: "rekaman", clips: [], base: "" }; show(); });

  window.SatuPintuVoice = { announce: announce, state: () => box.dataset.state, mode: mode };
})();

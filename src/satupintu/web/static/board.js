// Display board: live calls over server-sent events, a chime and an Indonesian voice call.
// The connection, its snapshots and the "not live" indicator are live.js's.
(function () {
  const site = document.body.dataset.site;
  const tz = document.body.dataset.tz;
  // A board that shows only some agencies (set when it was paired) asks for only those.
  const agencies = document.body.dataset.agencies || "";
  const query = agencies ? "?instansi=" + encodeURIComponent(agencies) : "";
  const L = { counter: document.body.dataset.labelCounter || "Loket" };

  function clock() {
    document.getElementById("clock").textContent =
      new Date().toLocaleTimeString("id-ID", { timeZone: tz, hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }
  setInterval(clock, 1000); clock();

  function render(state) {
    const body = document.querySelector("#counters tbody");
    body.innerHTML = "";
    state.counters.filter(c => c.is_open).forEach(c => {
      const tr = document.createElement("tr");
      tr.dataset.counter = c.number;
      tr.innerHTML = "<td></td><td class='num'></td>";
      tr.children[0].textContent = c.number + " ";
      const small = document.createElement("small"); small.textContent = c.agency; tr.children[0].appendChild(small);
      tr.children[1].textContent = c.ticket || "-";
      body.appendChild(tr);
    });
    const recent = document.getElementById("recent");
    recent.innerHTML = "";
    state.recent_calls.forEach(r => {
      const li = document.createElement("li"); li.textContent = r.number + " → " + L.counter + " " + r.counter;
      recent.appendChild(li);
    });
    const waiting = document.getElementById("waiting");
    waiting.innerHTML = "";
    Object.entries(state.waiting).forEach(([name, n]) => {
      const li = document.createElement("li"); li.textContent = name + ": " + n; waiting.appendChild(li);
    });
  }

  function chime() {
    try {
      const ctx = new (window.AudioContext || window.webkitAudioContext)();
      [660, 880].forEach((f, i) => {
        const o = ctx.createOscillator(), g = ctx.createGain();
        o.frequency.value = f; o.connect(g); g.connect(ctx.destination);
        g.gain.setValueAtTime(0.2, ctx.currentTime + i * 0.35);
        g.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + i * 0.35 + 0.3);
        o.start(ctx.currentTime + i * 0.35); o.stop(ctx.currentTime + i * 0.35 + 0.32);
      });
    } catch (e) { /* no audio device */ }
  }

  function speak(text) {
    if (!("speechSynthesis" in window) || !text) return;
    const u = new SpeechSynthesisUtterance(text);
    u.lang = "id-ID";
    const voice = speechSynthesis.getVoices().find(v => v.lang && v.lang.startsWith("id"));
    if (voice) u.voice = voice;
    u.rate = 0.9;
    setTimeout(() => speechSynthesis.speak(u), 800);  // after the chime
  }

  let refreshTimer = null;
  function refreshSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => fetch("/api/v1/sites/" + site + "/board" + query).then(r => r.json()).then(render), 300);
  }

  // A snapshot after the first (a reconnect, or the server's resync after an event bus
  // outage) may hold calls this board never showed: it says them (the newest three), so a
  // visitor called during an outage still hears the number. `heard` counts the calls that
  // did arrive as events since the last snapshot; `newest` is that snapshot's newest call.
  let newest = null;
  const heard = new Map();
  function sayMissed(state) {
    const times = state.recent_calls.map(r => Date.parse(r.at));
    if (newest !== null) {
      const missed = state.recent_calls.filter((r, i) => {
        const k = r.number + "|" + r.counter, n = heard.get(k) || 0;
        if (times[i] <= newest) return false;
        if (n > 0) { heard.set(k, n - 1); return false; }
        return true;
      }).slice(0, 3).reverse();
      if (missed.length) {
        chime();
        missed.forEach(r => speak(r.announcement));
        document.body.dataset.lastCall = missed[missed.length - 1].number;
      }
    }
    newest = Math.max(newest ?? -Infinity, ...times);
    heard.clear();
  }

  function onCall(ev) {
    const data = JSON.parse(ev.data);
    const k = data.number + "|" + data.counter;
    heard.set(k, (heard.get(k) || 0) + 1);
    let row = document.querySelector("#counters tr[data-counter='" + data.counter + "']");
    if (!row) { refreshSoon(); return; }
    row.children[1].textContent = data.number;
    row.classList.add("flash"); setTimeout(() => row.classList.remove("flash"), 4000);
    const li = document.createElement("li"); li.textContent = data.number + " → " + L.counter + " " + data.counter;
    const recent = document.getElementById("recent"); recent.prepend(li);
    while (recent.children.length > 8) recent.lastChild.remove();
    document.body.dataset.lastCall = data.number;
    chime(); speak(data.announcement);
    refreshSoon();
  }

  const events = { "ticket.called": onCall, "ticket.recalled": onCall };
  ["ticket.issued", "ticket.finished", "ticket.no_show", "ticket.held", "ticket.referred", "counter.opened",
   "counter.closed", "day.closed"].forEach(t => { events[t] = refreshSoon; });
  window.SatuPintuLive(site, { snapshot: state => { sayMissed(state); render(state); }, events: events },
                       document.getElementById("live-state"), query);
})();

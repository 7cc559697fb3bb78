// Display board: live calls over server-sent events, a chime and an Indonesian voice call.
// EventSource reconnects by itself; the server sends a full snapshot on every connection.
(function () {
  const site = document.body.dataset.site;
  const tz = document.body.dataset.tz;
  const L = { counter: document.body.dataset.labelCounter || "Loket" };
  const link = document.getElementById("link");

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
    refreshTimer = setTimeout(() => fetch("/api/v1/sites/" + site + "/board").then(r => r.json()).then(render), 300);
  }

  function onCall(ev) {
    const data = JSON.parse(ev.data);
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

  const es = new EventSource("/api/v1/sites/" + site + "/events");
  es.addEventListener("snapshot", ev => { link.dataset.ok = "1"; render(JSON.parse(ev.data)); });
  es.addEventListener("ticket.called", onCall);
  es.addEventListener("ticket.recalled", onCall);
  ["ticket.issued", "ticket.finished", "ticket.no_show", "ticket.held", "ticket.referred", "counter.opened",
   "counter.closed", "day.closed"].forEach(t => es.addEventListener(t, refreshSoon));
  es.onerror = () => { link.dataset.ok = "0"; };
})();

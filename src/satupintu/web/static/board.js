// Display board for a hall: the newest call large and highlighted for a few seconds, then the
// counters calling (number, counter, agency, floor and location), sized to fill the screen
// whether one counter is open or thirty; waiting counts per agency; the date and time in the
// site's zone; the manager's running text. Live calls over server-sent events, a chime and a
// voice call. The connection, its snapshots and the "not live" indicator are live.js's.
(function () {
  const body = document.body;
  const site = body.dataset.site;
  const tz = body.dataset.tz;
  // A board paired for some agencies or one floor asks for only those ("?instansi=..&lantai=..").
  const query = body.dataset.query || "";
  const L = { counter: body.dataset.labelCounter || "Loket" };
  const HIGHLIGHT_MS = 8000;  // how long the newest call stays highlighted before it settles into the list
  const ZONES = { "Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT" };
  const info = new Map();  // counter number -> the counter as the last state showed it (open ones)

  const locale = body.dataset.lang === "en" ? "en-GB" : "id-ID";  // Indonesian dates unless the board reads English
  function clock() {
    const now = new Date();
    document.getElementById("date").textContent =
      now.toLocaleDateString(locale, { timeZone: tz, weekday: "long", day: "numeric", month: "long", year: "numeric" });
    document.getElementById("clock").textContent =
      now.toLocaleTimeString(locale, { timeZone: tz, hour: "2-digit", minute: "2-digit", second: "2-digit" }) +
      (ZONES[tz] ? " " + ZONES[tz] : "");
  }
  setInterval(clock, 1000); clock();

  function where(c) { return [c.floor, c.location].filter(Boolean).join(" · "); }

  // The grid of counters: as many columns and rows as make the largest cards (about 3:2) in
  // the space the list has; each card's text scales with its card (container query units).
  function layout() {
    const table = document.getElementById("counters");
    const n = table.tBodies[0].rows.length;
    if (n > 12) body.dataset.many = "1"; else delete body.dataset.many;  // a narrower highlight, more list
    const box = table.parentElement.getBoundingClientRect();
    const head = table.parentElement.querySelector("h2");
    const w = box.width, h = box.height - (head ? head.getBoundingClientRect().height : 0);
    // A card needs about 215x146 px for its smallest type (number 60 px, agency 32 px): a
    // layout that gives every card that much wins over one that does not.
    let best = { cols: 1, rows: 1, score: -Infinity };
    for (let cols = 1; cols <= Math.max(1, n); cols++) {
      const rows = Math.max(1, Math.ceil(n / cols));
      const cw = (w - 12 * (cols - 1)) / cols, ch = (h - 12 * (rows - 1)) / rows;
      const score = Math.min(cw / 1.6, ch) + (cw >= 215 && ch >= 146 ? 10000 : 0);
      if (score > best.score) best = { cols: cols, rows: rows, score: score };
    }
    table.style.setProperty("--cols", best.cols);
    table.style.setProperty("--rows", best.rows);
    table.dataset.count = n;
    document.querySelector(".no-counter").hidden = n > 0;
  }
  window.addEventListener("resize", layout);

  let heroTimer = null;
  function showHero(call, fresh) {
    const hero = document.getElementById("hero");
    if (!call) { hero.dataset.empty = "1"; return; }
    delete hero.dataset.empty;
    document.getElementById("hero-num").textContent = call.number;
    document.getElementById("hero-counter").textContent = L.counter + " " + call.counter;
    document.getElementById("hero-agency").textContent = call.agency || "";
    document.getElementById("hero-where").textContent = where(call);
    if (fresh) {
      hero.classList.remove("fresh"); void hero.offsetWidth; hero.classList.add("fresh");
      clearTimeout(heroTimer); heroTimer = setTimeout(() => hero.classList.remove("fresh"), HIGHLIGHT_MS);
    }
  }

  function setText(text) {
    const foot = document.querySelector("footer.ticker");
    const span = document.querySelector("#ticker-text span");
    span.textContent = text || "";
    foot.hidden = !text;
    // About 9 characters a second whatever the length, so a long notice is as readable as a short one.
    span.style.setProperty("--ticker-seconds", Math.max(12, Math.round((text || "").length / 9 + 10)) + "s");
  }

  function render(state) {
    const tbody = document.querySelector("#counters tbody");
    tbody.innerHTML = "";
    info.clear();
    state.counters.filter(c => c.is_open).forEach(c => {
      info.set(c.number, c);
      const tr = document.createElement("tr");
      tr.dataset.counter = c.number;
      if (!c.ticket) tr.className = "idle";
      tr.innerHTML = "<td class='num'></td><td class='ctr'></td><td class='agency'></td><td class='where'></td>";
      tr.children[0].textContent = c.ticket || "-";
      tr.children[1].textContent = L.counter + " " + c.number;
      tr.children[2].textContent = c.agency;
      tr.children[3].textContent = where(c);
      tbody.appendChild(tr);
    });
    layout();
    const recent = document.getElementById("recent");
    recent.innerHTML = "";
    state.recent_calls.slice(1, 5).forEach(r => {
      const li = document.createElement("li"); li.textContent = r.number + " → " + L.counter + " " + r.counter;
      recent.appendChild(li);
    });
    const waiting = document.getElementById("waiting");
    waiting.innerHTML = "";
    Object.entries(state.waiting).forEach(([name, n]) => {
      const li = document.createElement("li");
      const a = document.createElement("span"); a.className = "w-name"; a.textContent = name;
      const b = document.createElement("span"); b.className = "w-n"; b.textContent = n;
      li.append(a, " ", b); waiting.appendChild(li);
    });
    if (!waiting.children.length) {
      const li = document.createElement("li"); li.className = "none"; li.textContent = body.dataset.labelNowait || "";
      waiting.appendChild(li);
    }
    if (!document.getElementById("hero").classList.contains("fresh")) showHero(state.recent_calls[0], false);
    setText(state.running_text);
  }

  // The voice is board-voice.js's: chime, then the call's recorded clips, queued (a recall too).
  function speak(call) {
    if (window.SatuPintuVoice && call) window.SatuPintuVoice.announce(call);
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
        missed.forEach(r => speak(r));
        document.body.dataset.lastCall = missed[missed.length - 1].number;
        showHero(missed[missed.length - 1], true);
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
    if (!row) { refreshSoon(); return; }  // not a counter this board shows (another floor or agency), or new
    const c = info.get(data.counter) || {};
    row.children[0].textContent = data.number;
    row.classList.remove("idle");
    row.classList.add("flash"); setTimeout(() => row.classList.remove("flash"), HIGHLIGHT_MS);
    showHero({ number: data.number, counter: data.counter, agency: c.agency, floor: c.floor, location: c.location }, true);
    const li = document.createElement("li"); li.textContent = data.number + " → " + L.counter + " " + data.counter;
    const recent = document.getElementById("recent"); recent.prepend(li);
    while (recent.children.length > 4) recent.lastChild.remove();
    document.body.dataset.lastCall = data.number;
    speak(data);
    refreshSoon();
  }

  const events = { "ticket.called": onCall, "ticket.recalled": onCall,
                   "board.text": ev => setText(JSON.parse(ev.data).text) };
  ["ticket.issued", "ticket.finished", "ticket.no_show", "ticket.held", "ticket.referred", "counter.opened",
   "counter.closed", "day.closed"].forEach(t => { events[t] = refreshSoon; });
  layout();
  window.SatuPintuLive(site, { snapshot: state => { sayMissed(state); render(state); }, events: events },
                       document.getElementById("live-state"), query);
})();

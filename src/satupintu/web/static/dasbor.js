// The live dashboard: any event on the site's stream asks for a fresh snapshot of the figures
// (dasbor.json), at most one fetch every two seconds (a burst of events is one fetch, and the
// last change is always read). While the stream is down the page says so; the stream's first
// event on reconnecting is a snapshot, which fetches the figures again.
(function () {
  const root = document.getElementById("dasbor");
  if (!root) return;
  const state = document.getElementById("live-state");
  const SPACING = 2000;
  let last = 0, timer = null, inFlight = false, again = false;

  function setState(up) {
    state.dataset.state = up ? "up" : "down";
    state.textContent = up ? state.dataset.up : state.dataset.down;
    if (up) delete root.dataset.stale; else root.dataset.stale = "1";  // figures greyed while they may be old
  }

  function text(el, value) { if (el.textContent !== String(value)) el.textContent = value; }

  function apply(snap) {
    for (const el of root.querySelectorAll("[data-figure]")) {
      const v = snap.figures[el.dataset.figure];
      if (v !== undefined) text(el, v);
    }
    const time = document.getElementById("updated");
    time.setAttribute("datetime", snap.as_of);
    text(time, snap.updated);
    const body = root.querySelector("#per-agency tbody");
    const rows = snap.agencies.map(a => {
      const tr = document.createElement("tr");
      tr.dataset.agency = a.code;
      const th = document.createElement("th");
      th.scope = "row";
      for (const [cls, v] of [["agency-code", a.code], ["agency-name", a.name]]) {
        const span = document.createElement("span");
        span.className = cls; span.textContent = v; th.append(span, " ");
      }
      tr.appendChild(th);
      for (const [col, v] of [["waiting", a.waiting], ["oldest", a.oldest]]) {
        const td = document.createElement("td");
        td.className = "num"; td.dataset.col = col; td.textContent = v; tr.appendChild(td);
      }
      return tr;
    });
    body.replaceChildren(...rows);
    const list = document.getElementById("alerts");
    const items = snap.alerts.map(a => {
      const li = document.createElement("li");
      li.dataset.kind = a.kind;
      const strong = document.createElement("strong");
      strong.className = "warn"; strong.textContent = a.text; li.appendChild(strong);
      return li;
    });
    if (!items.length) {
      const li = document.createElement("li");
      li.className = "alerts-none"; li.textContent = list.dataset.none; items.push(li);
    }
    if (list.innerHTML !== items.map(li => li.outerHTML).join("")) list.replaceChildren(...items);
  }

  async function refresh() {
    if (inFlight) { again = true; return; }
    inFlight = true; last = Date.now();
    try {
      const r = await fetch(root.dataset.snapshot, {headers: {"Accept": "application/json"}, cache: "no-store"});
      if (r.ok) apply(await r.json());
    } catch (e) {
      /* the server is unreachable: the stream's error says so */
    } finally {
      inFlight = false;
      if (again) { again = false; schedule(); }
    }
  }

  function schedule() {
    if (timer) return;
    timer = setTimeout(() => { timer = null; refresh(); }, Math.max(0, last + SPACING - Date.now()));
  }

  // The connection, its reconnections and the snapshots on each are live.js's; every event of
  // the site's queue, and every snapshot (a connection, or the bus vouching for nothing), asks
  // for the figures again.
  const events = {};
  ["ticket.issued", "ticket.called", "ticket.recalled", "ticket.serving", "ticket.finished", "ticket.no_show",
   "ticket.held", "ticket.resumed", "ticket.requeued", "ticket.referred", "ticket.voided", "counter.opened",
   "counter.closed", "day.closed"].forEach(t => { events[t] = schedule; });
  window.SatuPintuLive(root.dataset.site, {snapshot: schedule, events: events}, null);
  // live.js marks the body data-live="1" or "0"; the page says it in words.
  new MutationObserver(() => setState(document.body.dataset.live === "1"))
    .observe(document.body, {attributes: true, attributeFilter: ["data-live"]});
  // Minutes waited grow without any event: read the figures again every minute as well.
  setInterval(schedule, 60000);
})();

// Officer console: buttons and keyboard shortcuts call the queue API with the session's CSRF token.
(function () {
  const root = document.getElementById("console");
  const site = root.dataset.site, counter = root.dataset.counter, csrf = root.dataset.csrf;
  const message = document.getElementById("message");

  async function act(action, body) {
    const url = "/api/v1/sites/" + site + "/counters/" + counter + "/" + action;
    const r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
                                 body: JSON.stringify(body || {}) });
    const data = await r.json().catch(() => null);
    if (!r.ok) { message.textContent = data && data.error ? data.error.message : r.statusText; return; }
    if (action === "call-next" && data === null) { message.textContent = root.dataset.empty || "—"; return; }
    location.reload();
  }
  root.querySelectorAll("button[data-act]").forEach(b => b.addEventListener("click", () => act(b.dataset.act)));
  document.getElementById("refer").addEventListener("submit", ev => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    act("refer", { service: f.get("service"), note: f.get("note") || "" });
  });
  const closeForm = document.getElementById("close-counter");
  if (closeForm) closeForm.addEventListener("submit", ev => {
    ev.preventDefault();
    act("close", { reason: new FormData(ev.target).get("reason") });
  });
  const keys = { n: "call-next", r: "recall", s: "start", f: "finish", x: "no-show", h: "hold", o: "open" };
  document.addEventListener("keydown", ev => {
    if (ev.target.closest("input, select, textarea") || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const a = keys[ev.key.toLowerCase()];
    if (a) { ev.preventDefault(); act(a); }
  });
})();

// Live: reload when something happens at this counter that this page did not do itself
// (another device, the manager closing the day), and when a visitor joins an idle counter's queue.
// After a resync (the event bus was away: events may be missing) the snapshot is compared with
// this page instead, and the page reloads when this counter's number or open state differs.
(function () {
  const root = document.getElementById("console");
  const site = root.dataset.site, counter = Number(root.dataset.counter);
  let timer = null, mine = 0;
  document.addEventListener("click", () => { mine = Date.now(); });
  document.addEventListener("keydown", () => { mine = Date.now(); });
  function reloadSoon() { clearTimeout(timer); timer = setTimeout(() => location.reload(), 400); }
  function maybeReload(ev) {
    const data = JSON.parse(ev.data);
    const here = data.counter === counter || ev.type === "day.closed" || (ev.type === "ticket.issued" && !root.dataset.ticket);
    if (!here || Date.now() - mine < 2000) return;
    reloadSoon();
  }
  function compare(state, first) {
    const c = state.counters.find(x => x.number === counter);
    if (first || !c || Date.now() - mine < 2000) return;
    if ((c.ticket || "") !== root.dataset.number || c.is_open !== (root.dataset.open === "1")) reloadSoon();
  }
  const events = {};
  ["ticket.called", "ticket.recalled", "ticket.serving", "ticket.finished", "ticket.no_show", "ticket.held",
   "ticket.referred", "counter.opened", "counter.closed", "day.closed", "ticket.issued"].forEach(t => {
    events[t] = maybeReload;
  });
  window.SatuPintuLive(site, { snapshot: compare, events: events }, document.getElementById("live-state"));
})();

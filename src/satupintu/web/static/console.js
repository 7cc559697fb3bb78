// Officer console: buttons and keyboard shortcuts call the queue API with the session's CSRF token.
// Only enabled buttons act (the page enables the steps the ticket's state allows); a shortcut
// for a disabled step says why instead of sending a request that would be refused.
(function () {
  const root = document.getElementById("console");
  const site = root.dataset.site, counter = root.dataset.counter, csrf = root.dataset.csrf;
  const message = document.getElementById("message");

  async function act(action, body, field) {
    const url = "/api/v1/sites/" + site + "/counters/" + counter + "/" + action;
    const r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
                                 body: JSON.stringify(body || {}) });
    const data = await r.json().catch(() => null);
    if (!r.ok) {
      const text = data && data.error ? data.error.message : r.statusText;
      if (field && data && data.error && data.error.field === field.dataset.field) field.textContent = text;
      else message.textContent = text;
      return;
    }
    if (action === "call-next" && data === null) { message.textContent = root.dataset.empty || "—"; return; }
    try { sessionStorage.setItem("console-acted", String(Date.now())); } catch (e) { /* private mode */ }
    location.reload();
  }
  const buttons = {};
  root.querySelectorAll("button[data-act]").forEach(b => {
    buttons[b.dataset.key] = b;
    b.addEventListener("click", () => { if (!b.disabled) act(b.dataset.act); });
  });
  const refer = document.getElementById("refer");
  if (refer) refer.addEventListener("submit", ev => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    act("refer", { service: f.get("service"), note: f.get("note") || "" });
  });
  const chosen = document.getElementById("call-ticket");
  if (chosen && document.getElementById("call-ticket-id")) {
    const select = document.getElementById("call-ticket-id"), reason = document.getElementById("call-reason");
    const error = document.getElementById("call-reason-error");
    error.dataset.field = "reason";
    root.querySelectorAll("button[data-choose]").forEach(b => b.addEventListener("click", () => {
      select.value = b.dataset.choose;
      reason.focus();
    }));
    chosen.addEventListener("submit", ev => {
      ev.preventDefault();
      error.textContent = "";
      if (reason.value.trim().length < 3) {
        error.textContent = reason.dataset.required || "Tulis alasan memanggil nomor ini di luar urutan.";
        reason.setAttribute("aria-invalid", "true");
        reason.focus();
        return;
      }
      act("call-ticket", { ticket_id: select.value, reason: reason.value }, error);
    });
  }
  document.addEventListener("keydown", ev => {
    if (ev.target.closest("input, select, textarea") || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const b = buttons[ev.key.toLowerCase()];
    if (!b) return;
    ev.preventDefault();
    if (b.disabled) { message.textContent = root.dataset.notNow + " " + b.textContent.trim(); return; }
    act(b.dataset.act);
  });
})();

// Live: reload when something happens at this counter that this page did not do itself
// (another device, the manager closing the day), and when a visitor joins or leaves the queue
// of this counter's services (the waiting list and its count). After a resync (the event bus
// was away: events may be missing) the snapshot is compared with this page instead, and the
// page reloads when this counter's number or open state differs.
(function () {
  const root = document.getElementById("console");
  const site = root.dataset.site, counter = Number(root.dataset.counter);
  const services = new Set((root.dataset.services || "").split(" ").filter(Boolean));
  // This page's own step reloads it; its echo on the stream must not reload it again.
  let timer = null, mine = 0;
  try { mine = Number(sessionStorage.getItem("console-acted")) || 0; } catch (e) { /* private mode */ }
  document.addEventListener("click", () => { mine = Date.now(); });
  document.addEventListener("keydown", () => { mine = Date.now(); });
  function busyTyping() {
    const a = document.activeElement;
    return a && a.closest("input, select, textarea") && a.value;
  }
  function reloadSoon() {
    clearTimeout(timer);
    timer = setTimeout(function again() {
      if (busyTyping()) { timer = setTimeout(again, 3000); return; }  // never lose a reason being typed
      location.reload();
    }, 400);
  }
  function maybeReload(ev) {
    const data = JSON.parse(ev.data);
    // This counter's own changes, the end of the day, and any change to the queue of its
    // services (a number taken, called by another counter, referred here, back from hold).
    const here = data.counter === counter || ev.type === "day.closed" || services.has(data.service_id);
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
   "ticket.referred", "ticket.requeued", "ticket.resumed", "ticket.voided", "counter.opened", "counter.closed",
   "day.closed", "ticket.issued"].forEach(t => {
    events[t] = maybeReload;
  });
  window.SatuPintuLive(site, { snapshot: compare, events: events }, document.getElementById("live-state"));
})();

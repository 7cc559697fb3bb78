// The citizen's ticket page: follows the site's live events and refreshes this ticket's state.
(function () {
  const root = document.getElementById("ticket");
  const id = root.dataset.ticket, site = root.dataset.site;
  const L = { called: root.dataset.labelCalled, counter: root.dataset.labelCounter };
  const lang = document.documentElement.lang;
  const statusText = {
    id: { waiting: "Menunggu", called: "Dipanggil", serving: "Sedang dilayani", on_hold: "Ditunda",
          no_show: "Tidak hadir", done: "Selesai", referred: "Dirujuk", closed: "Ditutup" },
    en: { waiting: "Waiting", called: "Called", serving: "Being served", on_hold: "On hold",
          no_show: "No-show", done: "Done", referred: "Referred", closed: "Closed" } }[lang === "en" ? "en" : "id"];
  let last = null;

  function show(t) {
    document.getElementById("status").textContent = statusText[t.status] || t.status;
    document.getElementById("counter").textContent = t.counter_number ? " · " + L.counter + " " + t.counter_number : "";
    document.getElementById("position").textContent = t.position === null ? "-" : t.position;
    document.getElementById("wait").textContent = t.estimated_wait_minutes === null ? "-" : t.estimated_wait_minutes;
    if (t.status === "called" && last !== "called" && window.Notification && Notification.permission === "granted") {
      new Notification(L.called + ": " + t.number, { body: L.counter + " " + t.counter_number });
    }
    if (t.status === "done" && last && last !== "done") location.reload();  // show the survey link
    last = t.status;
    root.dataset.status = t.status;
  }
  function refresh() { fetch("/api/v1/tickets/" + id).then(r => r.json()).then(show); }

  document.getElementById("notify").addEventListener("click", () => {
    if (window.Notification) Notification.requestPermission();
  });
  const events = {};
  ["ticket.called", "ticket.recalled", "ticket.serving", "ticket.finished", "ticket.no_show", "ticket.held",
   "ticket.referred", "ticket.requeued", "ticket.resumed", "ticket.closed"].forEach(type => { events[type] = refresh; });
  // A snapshot comes on every (re)connection and after every resync: this ticket's state again.
  window.SatuPintuLive(site, { snapshot: refresh, events: events }, document.getElementById("live-state"));
})();

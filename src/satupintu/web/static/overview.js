// The site manager's overview: reload on any change; the page is small and the state comes
// fresh from the server.
(function () {
  const root = document.getElementById("overview");
  let timer = null;
  const es = new EventSource("/api/v1/sites/" + root.dataset.site + "/events");
  ["ticket.issued", "ticket.called", "ticket.finished", "ticket.no_show", "ticket.held", "ticket.referred",
   "counter.opened", "counter.closed", "ticket.voided"].forEach(t => es.addEventListener(t, () => {
    clearTimeout(timer); timer = setTimeout(() => location.reload(), 500);
  }));
})();

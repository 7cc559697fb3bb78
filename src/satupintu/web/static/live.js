// A site's live events over server-sent events, with a visible "not live" indicator.
// The server sends a "snapshot" on every connection and again whenever its event bus cannot
// vouch for what the stream missed (Redis down, reconnected), and "status" {live} when the
// bus goes away or comes back. EventSource reconnects by itself after a network error but
// gives up after a refused one (a 503 while the database is down), so this opens it again.
// Every event carries an id: EventSource's own reconnect sends the last one (Last-Event-ID),
// and a stream opened again here passes it as last_event_id, so the server sends only the
// events missed meanwhile ("status" first, no snapshot) while it still holds them.
// indicator: an element with role=status and data-text; its text shows while not live.
// query: appended to the stream's address ("?instansi=A,B" for a board showing some agencies).
window.SatuPintuLive = function (site, handlers, indicator, query) {
  let first = true, retry = null, lastId = "";
  function show(live) {
    document.body.dataset.live = live ? "1" : "0";
    if (indicator) indicator.textContent = live ? "" : indicator.dataset.text;
  }
  function open() {
    let url = "/api/v1/sites/" + site + "/events" + (query || "");
    if (lastId) url += (url.indexOf("?") < 0 ? "?" : "&") + "last_event_id=" + encodeURIComponent(lastId);
    const es = new EventSource(url);
    const seen = ev => { if (ev.lastEventId) lastId = ev.lastEventId; };
    es.addEventListener("snapshot", ev => {
      seen(ev);
      const state = JSON.parse(ev.data);
      show(state.live !== false);
      if (handlers.snapshot) handlers.snapshot(state, first);
      first = false;
    });
    es.addEventListener("status", ev => show(JSON.parse(ev.data).live));
    Object.entries(handlers.events || {}).forEach(([type, fn]) => es.addEventListener(type, ev => { seen(ev); fn(ev); }));
    es.onerror = () => {
      show(false);
      if (es.readyState === EventSource.CLOSED) { clearTimeout(retry); retry = setTimeout(open, 5000); }
    };
  }
  open();
};

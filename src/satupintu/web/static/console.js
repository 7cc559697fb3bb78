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

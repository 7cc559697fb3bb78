// Kiosk: taking a number survives a lost answer. Pressing "Ambil nomor antrean" is one citizen action
// with its own Idempotency key (crypto.randomUUID). The form goes out with fetch; when the network
// fails (or the server is briefly unavailable: 502/503/504) it is sent again with the same key,
// so the server hands back the ticket it may already have issued instead of a second number.
// Without JavaScript (or a browser without fetch) the form posts as before, without a key.
(function () {
  "use strict";
  // The priority tiles are toggles: touching the chosen one again turns it off (a regular ticket).
  var wasChecked = false;
  document.addEventListener("pointerdown", function (ev) {
    var input = ev.target instanceof HTMLInputElement && ev.target.name === "priority" ? ev.target : null;
    wasChecked = !!(input && input.checked);
  }, true);
  document.addEventListener("click", function (ev) {
    var input = ev.target;
    if (!(input instanceof HTMLInputElement) || input.name !== "priority" || input.value === "none") return;
    if (wasChecked) {
      var none = input.form && input.form.querySelector('input[name="priority"][value="none"]');
      if (none) none.checked = true;
    }
    wasChecked = false;
  });
  var form = document.getElementById("take-form");
  if (!form || !window.fetch || !window.FormData || !window.crypto) return;
  var status = document.getElementById("take-status");
  var MAX_ATTEMPTS = 8;
  var sending = false;
  var pending = null;  // the action still without an answer: {service, priority, key}

  function newKey() {
    if (crypto.randomUUID) return crypto.randomUUID();  // secure contexts (HTTPS, localhost)
    var b = crypto.getRandomValues(new Uint8Array(16));  // plain HTTP on the hall's network
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }

  function submitNatively(action) {
    // Let the browser show the server's own answer page (an error beside the field, say). The
    // key goes along, so this repeat cannot issue a second number either.
    [["idempotency_key", action.key]].forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      form.appendChild(input);
    });
    form.submit();
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (sending) return;  // a second press while the first is on its way is the same action
    var body = new FormData(form);
    var service = String(body.get("service_code") || "");
    var priority = String(body.get("priority") || "none");
    if (!pending || pending.service !== service || pending.priority !== priority) {
      pending = { service: service, priority: priority, key: newKey() };
    }
    var action = pending;
    body.set("service_code", action.service);
    body.set("idempotency_key", action.key);
    sending = true;
    var attempt = 0;

    function retryLater() {
      if (attempt >= MAX_ATTEMPTS) {
        sending = false;  // the same press again keeps the same key
        status.textContent = form.dataset.failed;
        return;
      }
      status.textContent = form.dataset.retrying;
      setTimeout(send, Math.min(500 * attempt, 4000));
    }

    function send() {
      attempt += 1;
      fetch(form.action, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) {
          if (r.status === 502 || r.status === 503 || r.status === 504) { retryLater(); return; }
          if (r.ok && r.redirected) { pending = null; location.assign(r.url); return; }
          submitNatively(action);
        }, retryLater);
    }
    send();
  });
})();

// The event form: suggest a code from the name as the manager types it (until they edit the code).
(function () {
  var name = document.getElementById("name"), code = document.getElementById("code");
  if (!name || !code) return;
  var touched = code.value !== "";
  code.addEventListener("input", function () { touched = code.value !== ""; });
  name.addEventListener("input", function () {
    if (touched) return;
    var prefix = code.getAttribute("data-prefix") || "";
    var words = name.value.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().match(/[a-z0-9]+/g) || [];
    words = words.filter(function (w) { return w !== prefix; });
    code.value = words.length ? [prefix].concat(words).join("-").slice(0, 64).replace(/-+$/, "") : "";
  });
})();

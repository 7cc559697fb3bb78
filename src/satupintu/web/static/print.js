// A kiosk prints the ticket as soon as it shows; ?cetak=0 turns that off. The button prints again.
if (new URLSearchParams(location.search).get("cetak") !== "0") window.addEventListener("load", () => window.print());
document.getElementById("print").addEventListener("click", () => window.print());

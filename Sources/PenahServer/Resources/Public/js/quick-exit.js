// Quick exit: the button, or Shift pressed three times within 1.5 s, leaves at once. The page is
// replaced (not pushed) so Back does not return here; the server's /exit clears cookies and
// storage (Clear-Site-Data) and forwards to a neutral site. Without JavaScript the link still works.
(function () {
  "use strict";
  var link = document.getElementById("quick-exit");
  if (!link) { return; }
  var target = (link.getAttribute("data-exit") || "/exit") + "?js=1";

  function leave(event) {
    if (event) { event.preventDefault(); }
    try {
      window.sessionStorage.clear(); window.localStorage.clear();
      // Read by exit-guard.js on any Penah page shown again in this tab (see there).
      window.sessionStorage.setItem("penah-left", target);
    } catch (e) { /* storage may be disabled */ }
    document.body.textContent = "";
    window.location.replace(target);
  }

  link.addEventListener("click", leave);

  var presses = [];
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Shift" || event.repeat) { return; }
    var now = Date.now();
    presses = presses.filter(function (t) { return now - t < 1500; });
    presses.push(now);
    if (presses.length >= 3) { leave(); }
  });
}());

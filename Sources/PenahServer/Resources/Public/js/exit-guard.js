// Runs before the page is drawn (not deferred): after a quick exit, a Penah page the browser shows
// again from its history (Back, Forward) leaves at once for the neutral site, hidden meanwhile, so
// nothing with service words is seen. A visit typed or followed anew is shown and ends the guard.
// The flag is the only thing quick exit leaves behind, in this tab's session storage.
(function () {
  "use strict";
  try {
    var target = window.sessionStorage.getItem("penah-left");
    if (!target) { return; }
    var entry = window.performance && performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
    if (entry && entry.type !== "back_forward") {
      window.sessionStorage.removeItem("penah-left");
      return;
    }
    document.documentElement.style.visibility = "hidden";
    window.location.replace(target);
  } catch (e) { /* storage may be disabled: nothing to guard with */ }
  // A page restored whole from the back-forward cache runs no script again: catch it here.
  window.addEventListener("pageshow", function (event) {
    try {
      var left = window.sessionStorage.getItem("penah-left");
      if (event.persisted && left) { document.documentElement.style.visibility = "hidden"; window.location.replace(left); }
    } catch (e) { /* as above */ }
  });
}());

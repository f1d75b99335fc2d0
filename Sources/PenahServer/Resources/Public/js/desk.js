// The desk page keeps itself current: the unit's queue feed (server-sent events) says when a ticket
// was issued, called or dealt with anywhere in the unit, and the page fetches its own address again
// and swaps in the desk's tickets and the waiting list. Without JavaScript the page is as it was
// served; reloading it shows the same.
(function () {
  "use strict";
  var live = document.getElementById("desk-live");
  if (!live || !window.EventSource || !window.fetch || !window.DOMParser) { return; }
  var pending = null;

  function refresh() {
    pending = null;
    window.fetch(live.getAttribute("data-refresh"), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new window.DOMParser().parseFromString(html, "text/html").getElementById("desk-live");
        if (!fresh) { return; }
        // Keep the person's place: the focused control, found again by its form's action.
        var focused = document.activeElement, action = focused && focused.form ? focused.form.getAttribute("action") : null;
        live.replaceChildren.apply(live, Array.prototype.slice.call(fresh.childNodes).map(function (n) { return document.importNode(n, true); }));
        if (action) {
          var again = live.querySelector("form[action='" + action + "'] button");
          if (again) { again.focus(); }
        }
        live.setAttribute("data-refreshed", String(Date.now()));
      })
      .catch(function () {});
  }

  var source = new EventSource(live.getAttribute("data-events"));
  source.addEventListener("queue", function () {
    // Several changes at once (a group of calls) bring one fetch.
    if (!pending) { pending = window.setTimeout(refresh, 250); }
  });
}());

// Warns five minutes before the idle timeout ends the session; "Stay signed in" tells the server
// without reloading, so a half-written interview stays as it is. When the session has ended, the
// screen is cleared of personal data (a screen left open must not show her name to the next
// person) and says so. The texts are in the page, server-rendered in the user's language.
(function () {
  "use strict";
  var idle = parseInt(document.body.getAttribute("data-idle-seconds"), 10);
  var warning = document.getElementById("session-warning");
  var ended = document.getElementById("session-ended");
  var stay = document.getElementById("session-stay");
  if (!idle || !warning || !ended || !stay) { return; }
  var warnTimer, endTimer;

  function start() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    warning.hidden = true;
    warnTimer = window.setTimeout(function () { warning.hidden = false; }, Math.max(idle - 300, 30) * 1000);
    endTimer = window.setTimeout(end, idle * 1000);
  }

  function end() {
    var main = document.getElementById("main");
    if (main) { main.textContent = ""; }
    var who = document.querySelector(".who");
    if (who) { who.textContent = ""; }
    warning.hidden = true;
    ended.hidden = false;
    if (main) { main.appendChild(ended); }
  }

  stay.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = new URLSearchParams(new FormData(stay));
    fetch(stay.action, { method: "POST", body: body, credentials: "same-origin", headers: { "X-Requested-With": "penah" } })
      .then(function (response) { if (response.status === 204) { start(); } else { end(); } })
      .catch(function () { /* offline: the warning stays up, the clock keeps running */ });
  });
  start();
}());

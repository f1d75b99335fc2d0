// Warns five minutes before the idle timeout ends the session; "Stay signed in" tells the server
// without reloading, so a half-written interview stays as it is. When the session ends, each form
// with text typed into it is handed to the server, which keeps it sealed for 30 minutes and offers
// it back after the same person signs in again (nothing is stored in the browser); then the screen
// is cleared of personal data (a screen left open must not show her name to the next person) and
// says so. The texts are in the page, server-rendered in the user's language.
(function () {
  "use strict";
  var idle = parseInt(document.body.getAttribute("data-idle-seconds"), 10);
  var warning = document.getElementById("session-warning");
  var ended = document.getElementById("session-ended");
  var stay = document.getElementById("session-stay");
  var park = document.getElementById("session-park");
  if (!idle || !warning || !ended || !stay || !park) { return; }
  var warnTimer, endTimer;
  var typedIn = [];

  // Forms the person has typed into; the session's own forms and file uploads are not kept.
  document.addEventListener("input", function (event) {
    var form = event.target && event.target.form;
    if (!form || form === stay || form === park || (form.method || "").toLowerCase() !== "post") { return; }
    if ((form.enctype || "").indexOf("multipart") === 0 || typedIn.indexOf(form) >= 0) { return; }
    typedIn.push(form);
  });
  document.addEventListener("submit", function (event) {
    var at = typedIn.indexOf(event.target);
    if (at >= 0) { typedIn.splice(at, 1); }
  });

  function start() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    warning.hidden = true;
    warnTimer = window.setTimeout(function () { warning.hidden = false; }, Math.max(idle - 300, 30) * 1000);
    endTimer = window.setTimeout(end, idle * 1000);
  }

  function keep(forms) {
    var csrf = park.querySelector("input[name=csrf]").value;
    var sent = forms.map(function (form, index) {
      var body = new URLSearchParams(new FormData(form));
      body.set("csrf", csrf);
      body.set("_action", new URL(form.action, window.location.href).pathname);
      if (index === forms.length - 1) { body.set("_last", "1"); }
      return body;
    });
    // One after another: the last one ends the session on the server.
    return sent.reduce(function (previous, body) {
      return previous.then(function (keptSoFar) {
        return fetch(park.action, { method: "POST", body: body, credentials: "same-origin" })
          .then(function (response) { return keptSoFar || response.status === 204; })
          .catch(function () { return keptSoFar; });
      });
    }, Promise.resolve(false));
  }

  function clear(kept) {
    var main = document.getElementById("main");
    if (main) { main.textContent = ""; }
    var who = document.querySelector(".who");
    if (who) { who.textContent = ""; }
    warning.hidden = true;
    ended.hidden = false;
    document.getElementById("session-ended-kept").hidden = !kept;
    if (main) { main.appendChild(ended); }
  }

  function end() {
    var forms = typedIn.filter(function (form) { return document.contains(form); });
    typedIn = [];
    if (forms.length === 0) { clear(false); return; }
    // The text is read before the screen is cleared; the screen is cleared whatever the answer.
    var keeping = keep(forms);
    clear(false);
    keeping.then(function (kept) { document.getElementById("session-ended-kept").hidden = !kept; });
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

// Warns five minutes before the 30-minute idle timeout ends the session. The warning text is in the
// page (server-rendered, in the user's language); this only reveals it. "Stay" reloads the page,
// which counts as activity on the server.
(function () {
  "use strict";
  var idle = parseInt(document.body.getAttribute("data-idle-seconds"), 10);
  var warning = document.getElementById("session-warning");
  if (!idle || !warning) { return; }
  window.setTimeout(function () { warning.hidden = false; }, Math.max(idle - 300, 30) * 1000);
}());

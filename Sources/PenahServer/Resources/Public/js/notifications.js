// The header's count of unread notifications, kept live by the server (server-sent events, no
// polling): the browser reconnects by itself if the connection drops. A rise is also said aloud
// through a polite live region. Without JavaScript the count is the one the page was served with.
(function () {
  "use strict";
  var count = document.getElementById("notification-count");
  if (!count || !window.EventSource) { return; }
  var announce = document.getElementById("notification-news");
  var source = new EventSource(count.getAttribute("data-events"));
  source.addEventListener("count", function (event) {
    var unread = parseInt(event.data, 10);
    if (isNaN(unread)) { return; }
    var before = parseInt(count.textContent, 10) || 0;
    count.textContent = String(unread);
    count.hidden = unread === 0;
    if (announce && unread > before) { announce.textContent = announce.getAttribute("data-text"); }
  });
})();

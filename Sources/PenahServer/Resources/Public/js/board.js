// Display board: listens to the unit's call feed (server-sent events; the browser reconnects by
// itself) and shows the newest call large, the previous ones below. Optional chime via Web Audio.
(function () {
  "use strict";
  var feed = document.body.getAttribute("data-events");
  if (!feed || !window.EventSource) { return; }
  var number = document.getElementById("current-number");
  var desk = document.getElementById("current-desk");
  var recent = document.getElementById("recent");
  var status = document.getElementById("connection");
  var chimeButton = document.getElementById("chime");
  var deskLabel = chimeButton.getAttribute("data-desk-label");
  var chime = false, audio = null;

  chimeButton.addEventListener("click", function () {
    chime = !chime;
    chimeButton.setAttribute("aria-pressed", chime ? "true" : "false");
    if (chime && !audio && window.AudioContext) { audio = new window.AudioContext(); }
  });

  function ring() {
    if (!chime || !audio) { return; }
    var tone = audio.createOscillator(), gain = audio.createGain();
    tone.frequency.value = 880; gain.gain.value = 0.2;
    tone.connect(gain); gain.connect(audio.destination);
    tone.start(); tone.stop(audio.currentTime + 0.4);
  }

  function show(call) {
    if (number.textContent !== "—") {
      var item = document.createElement("li");
      var a = document.createElement("span"), b = document.createElement("span");
      a.textContent = number.textContent; b.textContent = deskLabel + " " + desk.textContent;
      item.appendChild(a); item.appendChild(document.createTextNode(" → ")); item.appendChild(b);
      recent.insertBefore(item, recent.firstChild);
      while (recent.children.length > 5) { recent.removeChild(recent.lastChild); }
    }
    number.textContent = call.number;
    desk.textContent = String(call.desk);
    document.body.classList.remove("board-flash"); void document.body.offsetWidth; document.body.classList.add("board-flash");
    ring();
  }

  var source = new EventSource(feed);
  source.addEventListener("call", function (e) { show(JSON.parse(e.data)); });
  source.onopen = function () { status.textContent = status.getAttribute("data-online"); };
  source.onerror = function () { status.textContent = status.getAttribute("data-offline"); };
}());

// Kiosk: the print button prints the ticket (the print stylesheet shows the ticket only).
(function () {
  "use strict";
  var button = document.getElementById("print-ticket");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
}());

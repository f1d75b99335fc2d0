// After a form, the page starts where the news is: the error summary, or else the banner that says
// what was done, takes the focus, so a screen reader reads it out and the keyboard starts there.
(function () {
  "use strict";
  var target = document.querySelector(".error-summary[tabindex]") || document.querySelector(".success-banner");
  if (target) { target.focus(); }
})();

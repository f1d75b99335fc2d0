// Results as you type on the case list: the search form is an ordinary GET form (it works without
// JavaScript); with it, a pause in typing fetches the same address the form would open and swaps
// in its results, keeps the address in the bar current, and says the count to screen readers.
(function () {
  "use strict";
  var form = document.getElementById("case-search");
  var results = document.getElementById("case-results");
  var status = document.getElementById("case-results-status");
  if (!form || !results || !window.fetch || !window.DOMParser || !window.URLSearchParams) { return; }
  var field = form.querySelector("input[name=q]");
  var timer = null, asked = 0;

  function address() {
    var query = new window.URLSearchParams(new window.FormData(form)).toString();
    return form.getAttribute("action") + "?" + query;
  }

  function search() {
    var url = address(), mine = ++asked;
    window.fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        // An answer to an older question, overtaken by typing, is dropped.
        if (!html || mine !== asked) { return; }
        var fresh = new window.DOMParser().parseFromString(html, "text/html").getElementById("case-results");
        if (!fresh) { return; }
        results.replaceChildren.apply(results, Array.prototype.slice.call(fresh.childNodes).map(function (n) { return document.importNode(n, true); }));
        status.textContent = fresh.getAttribute("data-count") || "";
        window.history.replaceState(null, "", url);
      })
      .catch(function () {});
  }

  function later() {
    window.clearTimeout(timer);
    var typed = field.value.trim();
    // One letter finds too much to be useful; an emptied field shows the whole list again.
    if (typed.length === 1) { return; }
    timer = window.setTimeout(search, 300);
  }

  field.addEventListener("input", later);
  form.querySelector("select[name=status]").addEventListener("change", later);
}());

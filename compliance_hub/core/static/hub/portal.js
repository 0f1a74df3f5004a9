// Facility portal enhancements. Every page works without this file; no inline script (CSP).
(function () {
  "use strict";
  // Facility switcher: choosing a facility opens it at once, so the "Go" button (needed
  // without JavaScript) is hidden.
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    var select = form.querySelector("select");
    var button = form.querySelector("button[type=submit]");
    if (!select) return;
    if (button) button.hidden = true;
    select.addEventListener("change", function () {
      if (typeof form.requestSubmit === "function") form.requestSubmit();
      else form.submit();
    });
  });
  // On a phone, fold the open filter panel away unless its filters need fixing, so the
  // table is on the first screen (applied filters are folded already, into one line);
  // its summary line opens it again.
  var panel = document.querySelector("details[data-phone-collapse]");
  if (panel && !panel.hasAttribute("data-keep-open") &&
      window.matchMedia("(max-width: 40rem)").matches) {
    panel.open = false;
  }
  // The table's exact count and the page's place in it ("Rows 1,051–1,100 of 21,000") load
  // after the rows, when the page's own count stopped at its cap or the page is a later one.
  var count = document.querySelector("[data-count-url]");
  if (count && window.fetch) {
    fetch(count.getAttribute("data-count-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (!data) return;
      document.querySelectorAll("[data-count-text]").forEach(function (el) {
        el.textContent = data.count_text;
      });
      var words = count.querySelector("[data-match-words]");
      if (words) words.textContent = data.match_words;
      var where = count.querySelector("[data-position-text]");
      var sep = count.querySelector("[data-count-text]") ? " · " : "";
      if (where) where.textContent = data.position_text ? sep + data.position_text : "";
    }).catch(function () { /* the capped count stays: still true */ });
  }
})();

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
  // On a phone, fold the filter panel away unless filters are in use or need fixing, so
  // the table is on the first screen; its summary line opens it again.
  var panel = document.querySelector("details[data-phone-collapse]");
  if (panel && !panel.hasAttribute("data-keep-open") &&
      window.matchMedia("(max-width: 40rem)").matches) {
    panel.open = false;
  }
})();

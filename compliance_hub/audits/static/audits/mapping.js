/* Audit column mapping: refresh the preview as the column choices change.
   Progressive enhancement only: without this file the "Update the preview" button does the same. */
(function () {
  "use strict";
  var form = document.getElementById("mapping-form");
  if (!form || !window.fetch || !window.DOMParser || !window.FormData) {
    return;
  }
  var timer = null;
  var pending = null;

  function refresh() {
    var data = new FormData(form);
    data.set("action", "preview");
    if (pending) {
      pending.abort();
    }
    pending = window.AbortController ? new AbortController() : null;
    form.setAttribute("aria-busy", "true");
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
      signal: pending ? pending.signal : undefined
    })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var regions = document.querySelectorAll("[data-refresh]");
        Array.prototype.forEach.call(regions, function (region) {
          var replacement = fresh.getElementById(region.id);
          if (replacement && !region.contains(document.activeElement)) {
            region.replaceWith(document.importNode(replacement, true));
          }
        });
      })
      .catch(function () { /* the button still works */ })
      .then(function () { form.removeAttribute("aria-busy"); });
  }

  form.addEventListener("change", function (event) {
    if (event.target && event.target.tagName === "SELECT") {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 120);
    }
  });
})();

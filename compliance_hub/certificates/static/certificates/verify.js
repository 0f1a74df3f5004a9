// Compare a PDF file with the published SHA-256, in the browser (nothing is uploaded).
// Progressive enhancement: the page explains how to do it by hand when this cannot run.
(function () {
  "use strict";
  var box = document.querySelector(".verify-compare[data-sha256]");
  if (!box || !window.crypto || !window.crypto.subtle || !window.FileReader) {
    return;
  }
  var expected = box.getAttribute("data-sha256").toLowerCase();
  var input = box.querySelector("input[type=file]");
  var result = box.querySelector(".verify-compare-result");

  function hex(buffer) {
    var bytes = new Uint8Array(buffer);
    var out = "";
    for (var i = 0; i < bytes.length; i++) {
      out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    }
    return out;
  }

  function show(text, ok) {
    result.textContent = text;
    result.className = "verify-compare-result message " + (ok ? "message-success" : "message-error");
  }

  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    if (!file) {
      result.textContent = "";
      result.className = "verify-compare-result";
      return;
    }
    result.className = "verify-compare-result";
    result.textContent = "Checking " + file.name + "…";
    file.arrayBuffer().then(function (data) {
      return window.crypto.subtle.digest("SHA-256", data);
    }).then(function (digest) {
      var actual = hex(digest);
      if (actual === expected) {
        show(file.name + " is the issued certificate: its SHA-256 matches exactly.", true);
      } else {
        show(file.name + " is NOT the issued file: its SHA-256 is " + actual + ". It may have been altered, or it is a different certificate.", false);
      }
    }).catch(function () {
      show("The file could not be read. Try the command shown above instead.", false);
    });
  });
  box.hidden = false;
}());

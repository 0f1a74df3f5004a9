// Compare a PDF file with the published SHA-256, in the browser (nothing is uploaded).
// The file can be chosen with the file picker or dropped onto the page.
// Progressive enhancement: the page explains how to do it by hand when this cannot run,
// and the box stays hidden. No inline script or style: works under a strict CSP.
(function () {
  "use strict";
  var box = document.querySelector(".verify-compare[data-sha256]");
  if (!box || !window.crypto || !window.crypto.subtle || !window.Blob || !Blob.prototype.arrayBuffer) {
    return;
  }
  var expected = box.getAttribute("data-sha256").toLowerCase();
  // On a certificate that is no longer valid: "void" or "superseded", the colour of its
  // status, and the SHA-256 of the stamped copy the hub hands out for it.
  var noLongerValid = box.getAttribute("data-no-longer-valid");
  var tone = box.getAttribute("data-tone") || "error";
  var stamped = (box.getAttribute("data-stamped-sha256") || "").toLowerCase();
  var input = box.querySelector("input[type=file]");
  var result = box.querySelector(".verify-compare-result");
  var checking = 0;

  function hex(buffer) {
    var bytes = new Uint8Array(buffer);
    var out = "";
    for (var i = 0; i < bytes.length; i++) {
      out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    }
    return out;
  }

  function show(text, ok, colour) {
    result.textContent = text;
    result.className = "verify-compare-result message message-" + (colour || (ok ? "success" : "error"));
  }

  function check(file) {
    var mine = ++checking;  // only the latest file's answer is shown
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
      if (mine !== checking) {
        return;
      }
      var actual = hex(digest);
      var word = noLongerValid === "void" ? "VOID" : "SUPERSEDED";
      if (actual === expected && noLongerValid) {
        show(file.name + ": this is the issued file of a certificate that is no longer valid (" + word.toLowerCase() + "). Its SHA-256 matches the issued PDF exactly, but it evidences no current coverage.", false, tone);
      } else if (actual === expected) {
        show(file.name + " is the issued certificate: its SHA-256 matches exactly.", true);
      } else if (noLongerValid && stamped && actual === stamped) {
        show(file.name + " is a copy of this certificate stamped " + word + ": it is no longer valid. Its SHA-256 matches the stamped copy exactly.", false, tone);
      } else {
        show(file.name + " is NOT the issued file: its SHA-256 is " + actual + ". It may have been altered, or it is a different certificate.", false);
      }
    }).catch(function () {
      if (mine === checking) {
        show("The file could not be read. Try the command shown above instead.", false);
      }
    });
  }

  function hasFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, "Files") !== -1;
  }

  input.addEventListener("change", function () {
    check(input.files && input.files[0]);
  });

  // Dropping a file anywhere on the page checks it (instead of the browser opening it).
  var depth = 0;
  document.addEventListener("dragenter", function (event) {
    if (hasFiles(event)) {
      depth++;
      box.classList.add("is-dragover");
    }
  });
  document.addEventListener("dragleave", function (event) {
    if (hasFiles(event) && --depth <= 0) {
      depth = 0;
      box.classList.remove("is-dragover");
    }
  });
  document.addEventListener("dragover", function (event) {
    if (hasFiles(event)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
    }
  });
  document.addEventListener("drop", function (event) {
    if (!hasFiles(event)) {
      return;
    }
    event.preventDefault();
    depth = 0;
    box.classList.remove("is-dragover");
    var files = event.dataTransfer.files;
    check(files && files[0]);
  });

  box.hidden = false;
}());

/* Passkeys (WebAuthn), progressive enhancement: the forms marked data-passkey-register
   (add a passkey) and data-passkey-get (sign in, or confirm after the e-mailed link) are
   hidden until this script finds a browser that can use passkeys; the note marked
   data-passkey-unsupported says what to do otherwise. The server makes the options and checks
   the answers (the webauthn library); this file only carries bytes between them. */
(function () {
  "use strict";

  var supported = !!(window.PublicKeyCredential && navigator.credentials &&
    navigator.credentials.create && navigator.credentials.get && window.fetch);

  function toBytes(b64url) {
    var b64 = b64url.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = atob(b64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes.buffer;
  }

  function toB64url(buffer) {
    if (!buffer) { return null; }
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) { raw += String.fromCharCode(bytes[i]); }
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (c) {
      return { type: c.type, id: toBytes(c.id), transports: c.transports };
    });
  }

  function creationOptions(o) {
    var options = Object.assign({}, o);
    options.challenge = toBytes(o.challenge);
    options.user = Object.assign({}, o.user, { id: toBytes(o.user.id) });
    options.excludeCredentials = descriptors(o.excludeCredentials);
    return options;
  }

  function requestOptions(o) {
    var options = Object.assign({}, o);
    options.challenge = toBytes(o.challenge);
    options.allowCredentials = descriptors(o.allowCredentials);
    return options;
  }

  function common(credential) {
    return {
      id: credential.id,
      rawId: toB64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults ?
        credential.getClientExtensionResults() : {}
    };
  }

  function registration(credential) {
    var out = common(credential);
    var r = credential.response;
    out.response = {
      clientDataJSON: toB64url(r.clientDataJSON),
      attestationObject: toB64url(r.attestationObject),
      transports: r.getTransports ? r.getTransports() : []
    };
    return out;
  }

  function assertion(credential) {
    var out = common(credential);
    var r = credential.response;
    out.response = {
      clientDataJSON: toB64url(r.clientDataJSON),
      authenticatorData: toB64url(r.authenticatorData),
      signature: toB64url(r.signature),
      userHandle: toB64url(r.userHandle)
    };
    return out;
  }

  function post(form, url, data) {
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.value : "" },
      body: JSON.stringify(data || {})
    }).then(function (response) {
      return response.json().catch(function () {
        return { ok: false, message: "That didn't work. Try again." };
      });
    });
  }

  function say(form, text) {
    var status = form.querySelector("[data-passkey-status]");
    if (status) { status.textContent = text; }
  }

  function field(form, name) {
    var input = form.querySelector("[name=" + name + "]");
    return input ? input.value : "";
  }

  function run(form, ceremony) {
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    say(form, "Follow your browser's prompt…");
    ceremony().then(function (result) {
      if (result && result.ok && result.redirect) {
        window.location.assign(result.redirect);
        return;
      }
      say(form, (result && result.message) || "That didn't work. Try again.");
      if (button) { button.disabled = false; }
    }).catch(function (error) {
      var cancelled = error && (error.name === "NotAllowedError" || error.name === "AbortError");
      say(form, cancelled ? "Cancelled, or no passkey was chosen. Try again when you are ready." :
        "Your browser could not use a passkey here. Try again, or use the e-mailed link.");
      if (button) { button.disabled = false; }
    });
  }

  function register(form) {
    return post(form, form.dataset.optionsUrl).then(function (options) {
      if (!options.ok) { return options; }
      return navigator.credentials.create({ publicKey: creationOptions(options.publicKey) })
        .then(function (credential) {
          return post(form, form.action, {
            ceremony: options.ceremony,
            credential: registration(credential),
            name: field(form, "name"),
            next: field(form, "next")
          });
        });
    });
  }

  function use(form) {
    return post(form, form.dataset.optionsUrl).then(function (options) {
      if (!options.ok) { return options; }
      return navigator.credentials.get({ publicKey: requestOptions(options.publicKey) })
        .then(function (credential) {
          return post(form, form.action, {
            ceremony: options.ceremony,
            credential: assertion(credential),
            next: field(form, "next")
          });
        });
    });
  }

  function start() {
    document.querySelectorAll("[data-passkey-unsupported]").forEach(function (note) {
      if (supported) { note.hidden = true; } else {
        note.textContent = "This browser can't use passkeys. Keep signing in with the link we " +
          "e-mail you, or use a browser that supports passkeys.";
      }
    });
    if (!supported) { return; }
    document.querySelectorAll("[data-passkey-show]").forEach(function (el) { el.hidden = false; });
    document.querySelectorAll("form[data-passkey-register]").forEach(function (form) {
      form.hidden = false;
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        if (!field(form, "name").trim()) {
          say(form, "Give the passkey a name, for example “Work laptop”.");
          return;
        }
        run(form, function () { return register(form); });
      });
    });
    document.querySelectorAll("form[data-passkey-get]").forEach(function (form) {
      form.hidden = false;
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        run(form, function () { return use(form); });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

// Progressive enhancement only: every page works without this file.

// What the scripts say, in the page's language: the page carries the translations
// (a JSON block, not a script), keyed by the English words; a missing one reads as English.
window.pageWords = (function () {
  "use strict";
  var words = {};
  var block = document.getElementById("page-words");
  try { words = block ? JSON.parse(block.textContent) : {}; } catch (e) { words = {}; }
  return function (english, values) {
    var text = words[english] || english;
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("%(" + key + ")s").join(String(values[key]));
    });
    return text;
  };
}());

(function () {
  "use strict";
  var t = window.pageWords;

  // This file runs after the page is parsed (defer): someone quick, or a test, may have
  // typed already. Such a field is treated as just typed into.
  function typedEarly(field) {
    if (field.tagName === "SELECT") {
      return Array.prototype.some.call(field.options, function (o) { return o.selected !== o.defaultSelected; });
    }
    if (field.tagName === "TEXTAREA") {  // its value has line breaks as \n, its default as stored
      return field.value !== field.defaultValue.replace(/\r\n?/g, "\n");
    }
    if (field.tagName !== "INPUT" || field.type === "hidden") { return false; }  // buttons too
    if (field.type === "checkbox" || field.type === "radio") { return field.checked !== field.defaultChecked; }
    return field.value !== field.defaultValue;
  }


  // Search as you type: the form still submits normally without JavaScript.
  var form = document.querySelector("form[data-live-search]");
  if (form) {
    var input = form.querySelector("input[type=search]");
    var target = document.getElementById("results");
    var timer = null;
    var latest = 0;
    var lookUp = function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var ticket = ++latest;
        // POST, not a query string: names stay out of URLs and the browser's history.
        var body = new FormData(form);
        fetch(form.getAttribute("data-live-search"), {
          method: "POST", body: body, credentials: "same-origin"
        })
          .then(function (r) { return r.ok ? r.text() : null; })
          .then(function (html) {
            if (html !== null && ticket === latest) { target.innerHTML = html; }
          })
          .catch(function () { /* offline for a moment: the Search button still works */ });
      }, 180);
    };
    input.addEventListener("input", lookUp);
    if (typedEarly(input)) { lookUp(); }
  }

  // Signing out (or arriving at the sign-in page) deletes the list of names the desk
  // cached for working offline: it must not stay on a shared tablet. Scans still waiting
  // to be sent stay (they are check-ins people are owed) and go out at the next sign-in.
  function forgetDesk() {
    if (!window.indexedDB) { return; }
    try {
      var open = indexedDB.open("allocator-desk");
      open.onupgradeneeded = function () { open.transaction.abort(); };  // nothing cached
      open.onsuccess = function () {
        var db = open.result;
        if (db.objectStoreNames.contains("roster")) {
          db.transaction("roster", "readwrite").objectStore("roster").clear();
        }
        db.close();
      };
    } catch (e) { /* no storage: nothing to forget */ }
  }
  document.querySelectorAll("form[action$='/sign-out']").forEach(function (f) {
    f.addEventListener("submit", function (event) {
      var waiting = parseInt(document.body.getAttribute("data-waiting") || "0", 10);
      if (waiting && !window.confirm(waiting + " scans made offline are still waiting to be " +
          "sent. They are sent when a desk signs in again on this device. Sign out anyway?")) {
        event.preventDefault();
        return;
      }
      forgetDesk();
    });
  });
  if (document.querySelector("form input[name=token]")) { forgetDesk(); }

  // Long actions (allocation): show that something is happening.
  document.querySelectorAll("form[data-progress]").forEach(function (f) {
    f.addEventListener("submit", function () {
      var note = f.querySelector(".progress");
      var button = f.querySelector("button[type=submit]");
      if (note) { note.textContent = f.getAttribute("data-progress"); note.hidden = false; }
      if (button) { button.disabled = true; button.textContent = "Allocating…"; }
    });
  });

  // After a failed submit, take the focus (and a screen reader) to what went wrong.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }

  // Actions that take something away ask first (the button or its form says what).
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var question = (button && button.getAttribute("data-confirm")) ||
      event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  }, true);

  // Recommendations save themselves while people type (the Save button still works).
  // The server answers {version} when saved, 409 when someone else changed it first: then
  // nothing is overwritten and the Save button shows both texts to compare.
  document.querySelectorAll("form[data-autosave]").forEach(function (f) {
    var note = f.querySelector("[data-autosave-status]");
    var version = f.querySelector("input[name=version]");
    var timer = null, sending = false, again = false, stopped = false;
    function say(text, kind) { note.textContent = text; note.className = "autosave " + kind; }
    function save() {
      if (stopped) { return; }
      if (sending) { again = true; return; }
      sending = true;
      say("Saving…", "");
      fetch(f.action, { method: "POST", body: new FormData(f), credentials: "same-origin",
                        headers: { "Accept": "application/json" } })
        .then(function (r) {
          var json = (r.headers.get("Content-Type") || "").indexOf("json") !== -1;
          return (json ? r.json() : Promise.resolve(null)).then(function (body) {
            if (r.ok && body) {
              version.value = body.version;
              say(t("Saved"), "saved");
            } else if (r.status === 409) {
              stopped = true;
              say(t("Someone else changed this — press Save to compare."), "conflict");
            } else if (body && body.detail) {
              say(t("Not saved: %(reason)s", {reason: body.detail}), "failed");
            } else {
              say(t("Not saved — sign in again, then press Save."), "failed");
            }
          });
        })
        .catch(function () { say(t("Not saved — offline? Press Save when you are back."), "failed"); })
        .then(function () {
          sending = false;
          if (again) { again = false; save(); }
        });
    }
    var pending = false;
    function soon() {
      clearTimeout(timer); pending = true; say(t("Not saved yet"), "");
      timer = setTimeout(function () { pending = false; save(); }, 1200);
    }
    f.addEventListener("input", soon);
    if (Array.prototype.some.call(f.elements, typedEarly)) { soon(); }
    // Leaving the page (reload, another link, closing the tab) within that second still
    // saves what was typed: the browser sends it as the form would.
    window.addEventListener("pagehide", function () {
      if (pending && !stopped && navigator.sendBeacon) {
        clearTimeout(timer);
        pending = false;
        navigator.sendBeacon(f.action, new FormData(f));
      }
    });
    f.addEventListener("change", function (e) { if (e.target.tagName === "SELECT") { clearTimeout(timer); pending = false; save(); } });
  });

  // The projector: ← and → (or Page Up / Page Down) move between groups, and what is on
  // screen refreshes itself while the plenary changes the recommendations.
  if (document.body.hasAttribute("data-projector")) {
    document.addEventListener("keydown", function (e) {
      var key = { ArrowRight: "next", PageDown: "next", " ": "next", ArrowLeft: "previous", PageUp: "previous" }[e.key];
      var link = key && document.querySelector("a[data-key=" + key + "]");
      if (link) { e.preventDefault(); window.location.href = link.href; }
    });
    var stage = document.getElementById("stage");
    var every = parseInt(document.body.getAttribute("data-refresh"), 10) || 10;
    setInterval(function () {
      if (document.hidden) { return; }
      fetch(window.location.href, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) { return; }
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("stage");
          if (fresh && fresh.innerHTML !== stage.innerHTML) { stage.innerHTML = fresh.innerHTML; }
        })
        .catch(function () { /* the network hiccuped: keep what is on screen */ });
    }, every * 1000);
  }
})();

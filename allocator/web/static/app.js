// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Search as you type: the form still submits normally without JavaScript.
  var form = document.querySelector("form[data-live-search]");
  if (form) {
    var input = form.querySelector("input[type=search]");
    var target = document.getElementById("results");
    var timer = null;
    var latest = 0;
    input.addEventListener("input", function () {
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
    });
  }

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
})();

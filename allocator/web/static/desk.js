// The desk's scanner. Progressive enhancement: without this file the scan form still
// checks people in, one page load per scan.
//  - A USB or Bluetooth scanner types the code and Enter into the focused field.
//  - "Scan with the camera" decodes with the browser's BarcodeDetector, or with jsQR
//    (vendored under static/vendor/jsqr, loaded only when needed).
//  - While the network is down, scans wait in IndexedDB with their idempotency keys and
//    are sent in order when it is back; the desk can still find people by name from the
//    list cached when the page opened (no e-mails), and that list is deleted at sign-out.
(function () {
  "use strict";
  var t = window.pageWords || function (english) { return english; };
  var form = document.querySelector("form[data-scan]");
  if (!form) { return; }
  var input = form.querySelector("input[name=code]");
  var card = document.getElementById("scan-result");
  var waiting = document.getElementById("scan-waiting");
  var csrf = form.querySelector("input[name=csrf_token]").value;
  // Ready for the scanner at once: `autofocus` waits for the first paint, and a scanner
  // that types before then would lose the first characters.
  if (document.activeElement === document.body || !document.activeElement) { input.focus(); }
  var DB = "allocator-desk", QUEUE = "queue", ROSTER = "roster";

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 2);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains(QUEUE)) { db.createObjectStore(QUEUE, { keyPath: "key" }); }
        if (!db.objectStoreNames.contains(ROSTER)) { db.createObjectStore(ROSTER, { keyPath: "event" }); }
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function store(name, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode);
        var result = work(tx.objectStore(name));
        tx.oncomplete = function () { db.close(); resolve(result && result.result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }
  function queued() {
    return store(QUEUE, "readonly", function (s) { return s.getAll(); }).then(function (all) {
      return (all || []).sort(function (a, b) { return a.at - b.at; });
    });
  }
  function key() {
    return (window.crypto && crypto.randomUUID) ? crypto.randomUUID()
      : Date.now() + "-" + Math.random().toString(36).slice(2);
  }

  function show(kind, title, lines) {
    card.className = "scan-result " + kind;
    card.hidden = false;
    card.textContent = "";
    var h = document.createElement("p");
    h.className = "scan-title";
    h.textContent = title;
    card.appendChild(h);
    (lines || []).forEach(function (text) {
      if (!text) { return; }
      var p = document.createElement("p");
      p.textContent = text;
      card.appendChild(p);
    });
    if (kind === "refused") { beep(); }
  }
  function beep() {
    try {
      var audio = new (window.AudioContext || window.webkitAudioContext)();
      var tone = audio.createOscillator();
      tone.frequency.value = 220;
      tone.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.25);
    } catch (e) { /* no sound: the red card says it */ }
  }
  function answer(body, status) {
    if (body && body.ok) {
      var where = body.where || (body.group ? body.group + (body.room ? ", " + body.room : "") : "");
      var facilitators = body.facilitators && body.facilitators.length ? "Facilitator: " + body.facilitators.join(", ") : "";
      if (body.already_checked_in_at) {
        var when = new Date(body.already_checked_in_at);
        show("again", body.full_name + " — already checked in",
             ["since " + when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }), where, facilitators]);
      } else {
        show("ok", body.full_name + " — checked in", [where, facilitators]);
        var count = document.getElementById("count-checked-in");
        if (count && /^\d+$/.test(count.textContent)) { count.textContent = String(parseInt(count.textContent, 10) + 1); }
        if (window.allocatorDeskCounts) { window.allocatorDeskCounts(); }  // sectors too
      }
      return;
    }
    show("refused", t("Not checked in"), [(body && body.detail) || t("This ticket cannot be used (%(status)s).", {status: status})]);
  }
  function counter() {
    return queued().then(function (all) {
      waiting.hidden = all.length === 0;
      waiting.textContent = signedOut
        ? t("%(num)s scans waiting — sign in again to send them", {num: all.length})
        : t("Offline — %(num)s waiting", {num: all.length});
      document.body.setAttribute("data-waiting", String(all.length));
      return all;
    }).catch(function () { waiting.hidden = true; return []; });
  }

  function isJson(r) { return (r.headers.get("Content-Type") || "").indexOf("json") !== -1; }
  function send(item) {
    var body = new FormData();
    body.append("csrf_token", csrf);
    body.append("code", item.code);
    // Each scan goes to the event it was made for, whatever desk page sends it later.
    return fetch(item.url, { method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "Idempotency-Key": item.key } });
  }
  var signedOut = false;
  function scan(code) {
    code = (code || "").trim();
    if (!code) { return; }
    var item = { key: key(), code: code, at: Date.now(), url: form.action };
    if (!navigator.onLine) { return later(item); }
    return send(item).then(function (r) {
      if (r.status >= 500) { return later(item); }
      if (!isJson(r)) {  // the session ended (sign-in page) or the page expired
        signedOut = true;
        return later(item, true);
      }
      return r.json().then(function (body) { answer(body, r.status); });
    }, function () { return later(item); });
  }
  // Offline, what the list cached at sign-in says about a scanned ticket.
  function later(item, needsSignIn) {
    return Promise.all([lookup(item.code), queued()]).then(function (both) {
      var person = both[0], waitingNow = both[1];
      var twice = waitingNow.some(function (w) { return w.code === item.code; });
      if (twice) {
        show("again", person ? t("%(name)s — already waiting to be checked in", {name: person.name}) : t("This ticket — already waiting to be checked in"), []);
        return counter();
      }
      if (person && person.status === "checked_in") {
        show("again", person.name + " — already checked in (list of when this page opened)", []);
        return counter();
      }
      return store(QUEUE, "readwrite", function (s) { return s.put(item); }).then(function () {
        if (needsSignIn) {
          show("queued", t("Saved — sign in again to check it in"), [t("Your session ended; the scan waits on this device.")]);
        } else if (person) {
          show("queued", person.name + " — saved, will check in when the network is back",
               [person.group ? person.group + (person.room ? ", " + person.room : "") : ""]);
        } else if (person === null && rosterKnown) {
          show("refused", t("Not on this desk's list"),
               [t("Offline, this ticket matches nobody registered when the page opened: check who it is. The scan is kept and tried when the network is back.")]);
        } else {
          show("queued", t("Ticket saved — will check in when the network is back"), []);
        }
        return counter();
      });
    });
  }
  var syncing = false;
  function sync() {
    if (syncing || signedOut || !navigator.onLine) { return Promise.resolve(); }
    syncing = true;
    return queued().then(function next(all) {
      if (!all.length) { return; }
      var item = all[0];
      if (!item.url) { item.url = form.action; }
      return send(item).then(function (r) {
        if (r.status >= 500) { throw new Error("server"); }
        if (!isJson(r)) { signedOut = true; throw new Error("signed out"); }
        return r.json().then(function (body) {
          if (!body.ok) {
            report(item, body.detail || t("Not checked in."));
          }
          return store(QUEUE, "readwrite", function (s) { return s.delete(item.key); });
        });
      }).then(function () { return counter().then(next); });
    }).catch(function () { /* offline again, or signed out: nothing is lost, the rest waits */ })
      .then(function () { syncing = false; counter(); });
  }
  var problems = document.getElementById("scan-problems");
  function report(item, detail) {
    problems.hidden = false;
    var li = document.createElement("li");
    li.textContent = detail;
    problems.querySelector("ul").appendChild(li);
    beep();
  }

  // The scanner types the code and Enter into the scan field (or the search box).
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var code = input.value;
    input.value = "";
    scan(code);
    input.focus();
  });
  var search = document.querySelector("form[data-live-search]");
  if (search) {
    search.addEventListener("submit", function (e) {
      var q = search.querySelector("input[type=search]");
      if (/^\s*ALC1\s*[:;]/i.test(q.value)) {
        e.preventDefault();
        e.stopImmediatePropagation();
        var code = q.value;
        q.value = "";
        scan(code);
      }
    }, true);
  }

  // The list to look people up by while offline: fetched when the page opens.
  var rosterUrl = form.getAttribute("data-roster");
  var eventId = form.getAttribute("data-event");
  function fold(text) {
    return (text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var rosterKnown = false;
  var FRESH_MS = 12 * 3600 * 1000;  // a list older than the day's desk is not trusted
  function cacheRoster() {
    return fetch(rosterUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok && isJson(r) ? r.json() : null; })
      .then(function (people) {
        if (people) {
          // Only this event's list, and only the latest: the store is emptied first.
          return store(ROSTER, "readwrite", function (s) {
            s.clear();
            return s.put({ event: eventId, people: people, at: Date.now() });
          });
        }
      }).catch(function () { /* offline already: keep the list from before */ });
  }
  function roster() {
    return store(ROSTER, "readonly", function (s) { return s.get(eventId); })
      .then(function (row) {
        rosterKnown = !!(row && Date.now() - row.at < FRESH_MS);
        return rosterKnown ? row.people : [];
      });
  }
  function sha256(text) {
    if (!(window.crypto && crypto.subtle)) { return Promise.resolve(null); }
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(function (buf) {
      return Array.prototype.map.call(new Uint8Array(buf), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("");
    });
  }
  // The person a scanned code belongs to, from the cached list: null when the list has
  // nobody with it, undefined when this browser cannot tell (no list, or no SHA-256
  // outside https).
  function lookup(code) {
    var m = /^ALC1 ?[:;] ?\d{1,9} ?[:;] ?([A-Za-z2-7 -]{26,40})$/i.exec((code || "").trim());
    if (!m) { return Promise.resolve(rosterKnown ? null : undefined); }
    return Promise.all([sha256(m[1].replace(/[\s-]/g, "").toUpperCase()), roster()]).then(function (both) {
      if (!both[0] || !rosterKnown) { return undefined; }
      return both[1].filter(function (p) { return p.ticket === both[0]; })[0] || null;
    }).catch(function () { return undefined; });
  }
  // Offline, the search box looks in the cached list.
  if (search) {
    var results = document.getElementById("results");
    var box = search.querySelector("input[type=search]");
    box.addEventListener("input", function () {
      if (navigator.onLine) { return; }
      var q = fold(box.value).trim();
      roster().then(function (people) {
        var found = q ? people.filter(function (p) { return fold(p.name).indexOf(q) !== -1; }).slice(0, 25) : [];
        results.textContent = "";
        var note = document.createElement("p");
        note.className = "muted";
        note.textContent = "Offline: from the list loaded when this page opened.";
        results.appendChild(note);
        var ul = document.createElement("ul");
        ul.className = "results";
        found.forEach(function (p) {
          var li = document.createElement("li");
          li.className = "result " + p.status;
          li.textContent = p.name + " — " +
            (p.status === "checked_in" ? "checked in" : p.status) + (p.group ? " · " + p.group : "");
          ul.appendChild(li);
        });
        results.appendChild(ul);
      });
    });
  }

  // The camera (qrcamera.js): each code read is scanned as if typed.
  window.allocatorQrCamera(document.getElementById("scan-camera"),
    document.getElementById("scan-video"), function (text) { scan(text); }, function () {
      show("refused", t("The camera could not start"), [t("Allow the camera for this page, or find the person by name below.")]);
    });

  window.addEventListener("online", sync);
  window.addEventListener("offline", counter);
  setInterval(sync, 10000);
  roster().then(counter).then(sync);
  cacheRoster();
})();

// The day's counters stay current while this and other desks check people in: after each
// scan, and every 15 s while the page is visible, the numbers (never names) are fetched.
(function () {
  "use strict";
  var t = window.pageWords || function (english) { return english; };
  var aside = document.querySelector("aside[data-counts]");
  if (!aside || !window.fetch) { return; }
  function put(id, value) {
    var cell = document.getElementById(id);
    if (cell && typeof value === "number") { cell.textContent = String(value); }
  }
  function refresh() {
    return fetch(aside.getAttribute("data-counts"), { credentials: "same-origin",
      headers: { "Accept": "application/json" } }).then(function (r) {
      var json = (r.headers.get("Content-Type") || "").indexOf("json") !== -1;
      return r.ok && json ? r.json() : null;
    }).then(function (counts) {
      if (!counts) { return; }
      put("count-registered", counts.registered);
      put("count-checked-in", counts.checked_in);
      aside.querySelectorAll("[data-sector]").forEach(function (cell) {
        cell.textContent = String(counts.by_sector[cell.getAttribute("data-sector")] || 0);
      });
    }).catch(function () { /* offline for a moment: the next round catches up */ });
  }
  window.allocatorDeskCounts = refresh;
  setInterval(function () { if (!document.hidden) { refresh(); } }, 15000);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { refresh(); }
  });
})();

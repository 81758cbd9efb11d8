/* The headache diary offline (docs/outcomes.md, "The diary offline"). Registers the diary's service
   worker, and while the phone is offline keeps a day's entry on the phone (diary-store.js), shows it
   as "saved on this phone, not sent yet" and sends it when the phone is online again: at once on
   the "online" event, at the next opening of the diary, or by Background Sync where the browser
   has it. Online, the form posts as it always did, with a copy kept on the phone first (its id in
   the post's `sync_id`): the page the practice answers with names the entries it stored, and their
   copies are dropped; a post lost on a connection without internet (a captive portal) leaves its
   copy to be sent like one made offline. Without JavaScript nothing here runs. */
(function () {
  "use strict";
  var root = document.getElementById("diary");
  if (!root || !("serviceWorker" in navigator) || !window.indexedDB || !window.LongtideDiary) return;
  var store = window.LongtideDiary;
  var base = root.dataset.base;
  var shell = root.dataset.shell === "1";
  var form = document.getElementById("diary-form");
  var status = document.getElementById("sync-status");
  var pendingBox = document.getElementById("offline-pending");
  var pendingList = document.getElementById("pending-list");
  var shown = {}; // days shown as waiting on this page, to mark them sent afterwards

  // Once the practice has answered that this link no longer works (to this page or to the service
  // worker's Background Sync, which then clears the phone), that stays the last word on the page.
  var gone = false;
  function say(text) { if (status && !gone) status.textContent = text; }
  function sayGone() {
    say(root.dataset.msgGone);
    gone = true;
    return render();
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function localToday() {
    var now = new Date();
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }

  function dayLabel(iso, long) {
    var parts = iso.split("-");
    var when = new Date(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2]));
    var options = long ? { weekday: "long", day: "numeric", month: "long", year: "numeric" }
      : { weekday: "short", day: "numeric", month: "short" };
    return when.toLocaleDateString(document.documentElement.lang || undefined, options);
  }

  // The page stands for one day. The copy kept for offline use reads it from the address it was
  // opened at (a day's address, or the diary's own: today on this phone).
  var day = root.dataset.day;
  if (shell) {
    var match = /^(\d{4}-\d{2}-\d{2})\/$/.exec(location.pathname.slice(base.length));
    day = match ? match[1] : localToday();
    var heading = document.getElementById("diary-day");
    if (heading) heading.textContent = (day === localToday() ? root.dataset.msgToday + ", " : "") + dayLabel(day, true);
    if (form) form.action = base + day + "/";
    document.querySelectorAll("#recent a[aria-current]").forEach(function (a) { a.removeAttribute("aria-current"); });
    var current = document.querySelector('#recent li[data-day="' + day + '"] a');
    if (current) current.setAttribute("aria-current", "page");
  }

  // When the version of this day the page shows was saved: the practice keeps an entry made
  // elsewhere since then rather than replace it with this phone's (measurement.actions.sync_diary_day).
  function seenFor(which) {
    if (!shell && which === root.dataset.day) return root.dataset.seen || "";
    var item = document.querySelector('#recent li[data-day="' + which + '"]');
    return item ? item.dataset.saved || "" : "";
  }

  function markDay(which, text) {
    var state = document.querySelector('#recent li[data-day="' + which + '"] .diary-day-state');
    if (state) state.textContent = text;
  }

  // The form as the page came (online: the practice's answers for the day; the offline copy: none),
  // put back when the practice keeps an entry made elsewhere instead of this phone's ("kept"): the
  // phone's answers, filled in below while they waited, must not stay on the page to be saved over it.
  function checkable(field) { return field.type === "radio" || field.type === "checkbox"; }
  var asServed = form ? Array.prototype.map.call(form.querySelectorAll("input, select, textarea"), function (field) {
    return [field, checkable(field) ? field.checked : field.value];
  }) : [];
  function restore() {
    asServed.forEach(function (pair) {
      if (checkable(pair[0])) pair[0].checked = pair[1];
      else pair[0].value = pair[1];
    });
  }

  function fill(entry) {
    if (!form || !entry) return;
    Object.keys(entry.answers).forEach(function (name) {
      form.querySelectorAll('[name="' + name + '"]').forEach(function (field) {
        if (field.type === "radio") field.checked = field.value === entry.answers[name];
        else field.value = entry.answers[name];
      });
    });
  }

  function render() {
    return store.all(base).then(function (entries) {
      pendingList.textContent = "";
      entries.forEach(function (entry) {
        var item = document.createElement("li");
        item.dataset.day = entry.day;
        var link = document.createElement("a");
        link.href = base + entry.day + "/";
        link.textContent = dayLabel(entry.day, false);
        item.appendChild(link);
        item.appendChild(document.createTextNode(" — " + root.dataset.msgPending));
        if (entry.problem) {
          var problem = document.createElement("p");
          problem.className = "errorlist";
          problem.textContent = entry.problem;
          item.appendChild(problem);
        }
        pendingList.appendChild(item);
        markDay(entry.day, root.dataset.msgPending);
        shown[entry.day] = true;
        if (entry.day === day) fill(entry);
      });
      pendingBox.hidden = entries.length === 0;
      return entries;
    });
  }

  function settled(results) {
    var sent = 0;
    var notes = [];
    (results || []).forEach(function (result) {
      if (result.outcome === "saved" || result.outcome === "already") {
        sent += 1;
        markDay(result.day, root.dataset.msgFilled);
        var item = document.querySelector('#recent li[data-day="' + result.day + '"]');
        if (item && result.saved_at) item.dataset.saved = result.saved_at;
        if (result.day === root.dataset.day && result.saved_at) root.dataset.seen = result.saved_at;
      } else if (result.outcome === "kept") {
        notes.push(dayLabel(result.day, false) + ": " + result.message);
        if (result.day === day) restore();
      }
    });
    return render().then(function () {
      if (sent || notes.length) say((sent ? root.dataset.msgSent : "") + (notes.length ? " " + notes.join(" ") : ""));
    });
  }

  var sending = null;
  function sendNow() {
    if (!navigator.onLine) return Promise.resolve();
    if (sending) return sending;
    sending = store.all(base).then(function (entries) {
      if (!entries.length) return null;
      say(root.dataset.msgSending);
      return store.send(base).then(settled, function (error) {
        if (error && error.gone) return sayGone();
        else return render().then(function () { say(root.dataset.msgSavedHere); });
      });
    }).then(function () { sending = null; }, function () { sending = null; });
    return sending;
  }

  function askBackgroundSync() {
    return navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) return registration.sync.register("diary-sync");
    }).catch(function () {});
  }

  // The entries the page just served shows as stored, or as refused (a post of its copy that the
  // practice answered with a problem on the page itself): their copies on the phone go.
  function dropSettled() {
    if (shell) return Promise.resolve();
    var ids = [root.dataset.sync, root.dataset.rejectedSync];
    document.querySelectorAll("#recent li[data-sync]").forEach(function (item) { ids.push(item.dataset.sync); });
    ids = ids.filter(function (id) { return id; });
    return ids.length ? store.drop(base, ids) : Promise.resolve();
  }

  var posting = false;
  // Back to this page after a post that failed (the browser's error page, then the back button):
  // the form posts again.
  window.addEventListener("pageshow", function () { posting = false; });
  if (form) {
    form.addEventListener("submit", function (event) {
      if (posting) { event.preventDefault(); return; } // a double tap while the copy is kept
      var answers = {};
      new FormData(form).forEach(function (value, name) {
        if (name !== "csrfmiddlewaretoken" && name !== "sync_id") answers[name] = String(value);
      });
      var entry = { id: self.crypto.randomUUID(), day: day, answers: answers, seen: seenFor(day), recorded: new Date().toISOString() };
      if (navigator.onLine && !shell) {
        // Online: the plain form posts as it always has (the practice checks the answers), once a
        // copy is kept here in case the post never reaches the practice.
        if (!answers.headache) return;
        event.preventDefault();
        posting = true;
        // The last page's "Saved …" no longer stands while this one is kept and sent: a reader (or a
        // test) waiting for "Saved" waits for the practice's answer to this post.
        document.querySelectorAll(".messages").forEach(function (box) { box.remove(); });
        var post = function () {
          var field = form.querySelector('input[name="sync_id"]');
          if (!field) {
            field = document.createElement("input");
            field.type = "hidden";
            field.name = "sync_id";
            form.appendChild(field);
          }
          field.value = entry.id;
          form.submit();
        };
        store.put(base, entry).then(post, function () { entry.id = ""; post(); });
        return;
      }
      event.preventDefault();
      if (!answers.headache) {
        say(root.dataset.msgAnswer);
        return;
      }
      store.put(base, entry).then(render).then(function () {
        say(root.dataset.msgSavedHere);
        askBackgroundSync();
        return sendNow();
      });
    });
  }

  navigator.serviceWorker.register(base + "sw.js", { scope: base }).catch(function () {});
  navigator.serviceWorker.addEventListener("message", function (event) {
    if (event.data && event.data.type === "diary-synced") settled(event.data.results);
    if (event.data && event.data.type === "diary-gone") sayGone();
  });
  window.addEventListener("online", sendNow);
  window.addEventListener("offline", function () { say(root.dataset.msgOffline); });
  dropSettled().then(render, render).then(function () {
    if (!navigator.onLine) say(root.dataset.msgOffline);
    return sendNow();
  });
})();

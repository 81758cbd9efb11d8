/* The headache diary's entries kept on the phone until they are sent (docs/outcomes.md, "The diary
   offline"). Shared by the diary page (diary-offline.js) and its service worker (importScripts),
   so both send the same way. One IndexedDB store; each entry is keyed by its diary's address and
   its day, so a phone shared by two clients keeps their diaries apart, and recording a day again
   on the phone replaces what was waiting for that day. */
(function (scope) {
  "use strict";
  var DB = "longtide-diary";
  var STORE = "pending";

  function open() {
    return new Promise(function (resolve, reject) {
      var request = scope.indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
        tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function range(base) {
    return scope.IDBKeyRange.bound(base + "|", base + "|\uffff");
  }

  // Every entry of this diary waiting on the phone, oldest day first.
  function all(base) {
    return run("readonly", function (store) { return store.getAll(range(base)); }).then(function (entries) {
      return (entries || []).sort(function (a, b) { return a.day < b.day ? -1 : a.day > b.day ? 1 : 0; });
    });
  }

  function put(base, entry) {
    entry.key = base + "|" + entry.day;
    return run("readwrite", function (store) { store.put(entry); });
  }

  // Remove a day's entry once the practice has answered for it, unless the client recorded the day
  // again on the phone meanwhile (a newer entry with another id, still to send).
  function settle(base, day, id, problem) {
    return run("readwrite", function (store) {
      var request = store.get(base + "|" + day);
      request.onsuccess = function () {
        var entry = request.result;
        if (!entry || entry.id !== id) return;
        if (problem) {
          entry.problem = problem;
          store.put(entry);
        } else {
          store.delete(entry.key);
        }
      };
    });
  }

  // Remove the entries whose ids the practice shows as stored (or refused) on the page just served:
  // a copy kept while the plain form posted, once the post has landed.
  function drop(base, ids) {
    return all(base).then(function (entries) {
      return Promise.all(entries.filter(function (e) { return ids.indexOf(e.id) !== -1; }).map(function (e) {
        return settle(base, e.day, e.id, null);
      }));
    });
  }

  function clear(base) {
    return run("readwrite", function (store) { store.delete(range(base)); });
  }

  var FINAL = { saved: true, already: true, kept: true };

  // Send what waits to the practice; resolves with the practice's results ([] when nothing waited),
  // rejects when the phone is still offline (the entries stay). A send that is repeated, by the page
  // and the service worker at once or after a lost answer, is answered "already" and changes nothing.
  function send(base) {
    return all(base).then(function (entries) {
      if (!entries.length) return [];
      var body = JSON.stringify({
        entries: entries.map(function (e) {
          return { id: e.id, day: e.day, answers: e.answers, seen: e.seen || "" };
        })
      });
      return scope.fetch(base + "sync/", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: body,
        credentials: "same-origin",
        cache: "no-store"
      }).then(function (response) {
        return response.json().then(function (answer) {
          if (response.status === 410) {
            var gone = new Error(answer.detail || "gone");
            gone.gone = true;
            throw gone;
          }
          if (!response.ok) throw new Error(answer.detail || String(response.status));
          return Promise.all(answer.results.map(function (result) {
            var problem = FINAL[result.outcome] ? "" : result.message || result.outcome;
            return settle(base, result.day, result.id, problem);
          })).then(function () { return answer.results; });
        });
      });
    });
  }

  scope.LongtideDiary = { all: all, put: put, send: send, clear: clear, drop: drop };
})(self);

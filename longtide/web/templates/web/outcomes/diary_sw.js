/* The headache diary's service worker (docs/outcomes.md, "The diary offline"), served from this
   diary's own address, so its scope is this one client's diary and nothing else on the site.
   It keeps on the phone only: the diary's empty page (no answers in it), the site's style sheet,
   scripts and icon. Diary pages are fetched from the network first and the empty page stands in
   when there is none; entries recorded offline wait in IndexedDB (diary-store.js) and are sent
   when the phone is online again. A diary link that no longer works removes all of it. */
"use strict";
importScripts("{{ store|escapejs }}");

var BASE = "{{ base|escapejs }}";
var SHELL = "{{ shell|escapejs }}";
var CACHE = "longtide-diary-1 " + BASE;
var ASSETS = [{% for asset in assets %}"{{ asset|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE)
      .then(function (cache) { return cache.addAll([SHELL].concat(ASSETS)); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.filter(function (name) {
          return name !== CACHE && name.slice(-BASE.length - 1) === " " + BASE;
        }).map(function (name) { return caches.delete(name); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

function refreshShell() {
  return fetch(SHELL, { cache: "no-store", credentials: "same-origin" }).then(function (response) {
    if (response.ok) {
      return caches.open(CACHE).then(function (cache) { return cache.put(SHELL, response); });
    }
    if (response.status === 410) return forget();
  }).catch(function () {});
}

// The link no longer works: nothing of this diary stays on the phone.
function forget() {
  return caches.delete(CACHE)
    .then(function () { return self.LongtideDiary.clear(BASE); })
    .then(function () { return self.registration.unregister(); });
}

function fromNetworkFirst(event) {
  return fetch(event.request).then(function (response) {
    if (response.status === 410) {
      // The diary link has expired or was withdrawn (a day that does not exist is a 404: kept).
      event.waitUntil(forget());
    } else if (response.ok) {
      event.waitUntil(refreshShell());
    }
    return response;
  }, function () {
    return caches.open(CACHE)
      .then(function (cache) { return cache.match(SHELL); })
      .then(function (shell) { return shell || Response.error(); });
  });
}

function fromCacheFirst(event, path) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(path).then(function (hit) {
      var fresh = fetch(event.request).then(function (response) {
        if (response.ok) return cache.put(path, response.clone()).then(function () { return response; });
        return response;
      });
      if (hit) {
        event.waitUntil(fresh.catch(function () {}));
        return hit;
      }
      return fresh;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.indexOf(BASE) === 0) {
    event.respondWith(fromNetworkFirst(event));
  } else if (ASSETS.indexOf(url.pathname) !== -1) {
    event.respondWith(fromCacheFirst(event, url.pathname));
  }
});

function tellPages(message) {
  // This diary's pages only (uncontrolled too: one opened before the worker took over).
  return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (pages) {
    pages.forEach(function (page) {
      if (new URL(page.url).pathname.indexOf(BASE) === 0) page.postMessage(message);
    });
  });
}

// Background Sync, where the browser has it: the entries go even if the diary page is closed.
self.addEventListener("sync", function (event) {
  if (event.tag !== "diary-sync") return;
  event.waitUntil(self.LongtideDiary.send(BASE).then(function (results) {
    return tellPages({ type: "diary-synced", results: results });
  }, function (error) {
    // Tell the open diary pages first: the page's own send would find nothing left to send.
    if (error && error.gone) return tellPages({ type: "diary-gone" }).then(forget, forget);
    throw error;
  }));
});

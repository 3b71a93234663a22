// The header's unread count, live: one Server-Sent Events stream per tab, open only while
// the tab is visible (a hidden tab holds no connection and catches up when shown again,
// since the stream starts with the current count). Without JavaScript the count is the
// one rendered with each page.
(function () {
  "use strict";
  var link = document.querySelector("a.notifications-link");
  var badge = document.getElementById("unread-count");
  if (!link || !badge || !window.EventSource) return;

  var url = "/notifications/events";
  var title = document.title.replace(/^\(\d+\) /, "");
  var source = null; // the open stream; null while hidden or waiting to retry
  var timer = 0;     // a pending retry
  var failures = 0;  // errors since a stream last stayed up: the backoff's exponent
  var openedAt = 0;  // when the current stream opened; 0 while it has not

  // The page's words for a count (layout.html's #script-words, from the catalogs): the
  // form for one or for many, with the number written as the page's language writes it.
  var words = JSON.parse((document.getElementById("script-words") || {}).textContent || "{}");
  function counted(name, n) {
    var w = words[name];
    var num = n.toLocaleString(document.documentElement.lang || undefined);
    if (!w) return num;
    return (n === 1 ? w.one : w.other).replace("{n}", num);
  }

  function show(n) {
    badge.textContent = String(n);
    badge.setAttribute("aria-label", counted("unread", n));
    badge.hidden = n === 0;
    link.setAttribute("data-unread", String(n));
    document.title = n > 0 ? "(" + n + ") " + title : title;
  }

  function close() {
    if (source) { source.close(); source = null; }
  }

  function open() {
    if (source || timer || document.visibilityState !== "visible") return;
    var s = source = new EventSource(url);
    openedAt = 0;
    s.addEventListener("open", function () { openedAt = Date.now(); });
    s.addEventListener("unread", function (ev) {
      var n = JSON.parse(ev.data).unread;
      if (typeof n === "number") show(n);
    });
    // As in live.js: EventSource gives up for good on a refusal, so on any error close it
    // and open a new one after a jittered backoff, never before a refusal's Retry-After.
    s.addEventListener("error", function () {
      if (s !== source) return; // already closed on purpose
      close();
      if (openedAt && Date.now() - openedAt > 30000) failures = 0;
      if (openedAt) return retry(0);
      fetch(url, {method: "HEAD", cache: "no-store"}).then(function (r) {
        if (r.ok || r.status === 429 || r.status >= 500) retry(Number(r.headers.get("Retry-After")) || 0);
        // 401: logged out elsewhere; the next page shows the header as it now is.
      }, function () { retry(0); });
    });
  }

  function retry(afterSeconds) {
    var jitter = Math.random() * Math.min(60000, 1000 * Math.pow(2, failures++));
    timer = setTimeout(function () { timer = 0; open(); }, afterSeconds * 1000 + jitter);
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") open(); else close();
  });
  // The back/forward cache: no stream while the page is kept there.
  window.addEventListener("pagehide", close);
  window.addEventListener("pageshow", function (ev) { if (ev.persisted) open(); });
  open();
})();

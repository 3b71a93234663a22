// Live replies: listen to the thread's event stream and put new replies into the tree
// where they belong, marked as new. Without JavaScript the page shows them on reload.
(function () {
  "use strict";
  var tree = document.querySelector("ol.tree[data-events]");
  if (!tree || !window.EventSource) return;

  function fragment(html) {
    var tpl = document.createElement("template");
    tpl.innerHTML = html; // server-rendered from sanitised post HTML
    return tpl.content.firstElementChild;
  }

  function repliesOf(li) {
    var list = li.querySelector(":scope > details.subtree > ol.replies");
    if (list) return list;
    var details = document.createElement("details");
    details.className = "subtree";
    details.open = true;
    var summary = document.createElement("summary");
    summary.textContent = "new replies";
    list = document.createElement("ol");
    list.className = "replies";
    details.append(summary, list);
    li.append(details);
    return list;
  }

  function onReply(ev) {
    var data = JSON.parse(ev.data);
    if (document.getElementById("p" + data.post_id)) return; // already shown
    var parent = data.parent_id && document.getElementById("p" + data.parent_id);
    if (!parent) return; // on another page of the thread
    var node = fragment(data.node);
    if (!node) return;
    node.classList.add("new");
    repliesOf(parent.closest("li.node")).append(node);
  }

  function onEdit(ev) {
    var data = JSON.parse(ev.data);
    var post = document.getElementById("p" + data.post_id);
    var fresh = fragment(data.node);
    if (!post || !fresh) return;
    var body = post.querySelector(".post-body");
    var freshBody = fresh.querySelector(".post-body");
    if (body && freshBody) body.replaceWith(freshBody);
    post.classList.add("new");
  }

  // The stream. EventSource retries by itself only after a network error and gives up for
  // good on a refusal (429, 503), so on any error we close it and open a new one later:
  // backoff doubling from 1 s to 60 s with full jitter, never before the Retry-After of a
  // refusal. A new EventSource does not send Last-Event-ID, so the last id seen goes in
  // the URL and the server sends what was missed.
  var url = tree.getAttribute("data-events");
  // The last event id seen, starting from the newest when the page was rendered, so a
  // reply written before the stream first opens is sent too.
  var lastId = tree.getAttribute("data-events-from") || "";
  var failures = 0;  // errors since a stream last stayed up: the backoff's exponent
  var openedAt = 0;  // when the current stream opened; 0 while it has not

  function state(s) { tree.setAttribute("data-live", s); }

  function seen(ev) { if (ev.lastEventId) lastId = ev.lastEventId; }

  var current = null; // the open EventSource; none while the tab is hidden or the page cached
  var timer = 0;      // a reconnection waiting for its backoff

  function connect() {
    timer = 0;
    if (document.hidden) return; // reopened when the tab is shown
    var source = current = new EventSource(lastId ? url + "?last_event_id=" + encodeURIComponent(lastId) : url);
    openedAt = 0;
    source.addEventListener("open", function () { openedAt = Date.now(); state("open"); });
    source.addEventListener("message", seen);
    source.addEventListener("reply", function (ev) { seen(ev); onReply(ev); });
    source.addEventListener("edit", function (ev) { seen(ev); onEdit(ev); });
    source.addEventListener("error", function () {
      source.close();
      if (current !== source) return; // closed on purpose (hidden): nothing to retry
      current = null;
      state("reconnecting");
      // A stream that stayed up a while starts the backoff afresh; one that keeps
      // dropping at once does not.
      if (openedAt && Date.now() - openedAt > 30000) failures = 0;
      if (openedAt) return retry(0);
      // Refused or unreachable: ask why (EventSource cannot see the status or headers).
      fetch(url, {method: "HEAD", cache: "no-store"}).then(function (r) {
        if (r.ok || r.status === 429 || r.status >= 500) return retry(Number(r.headers.get("Retry-After")) || 0);
        state("closed"); // the thread is gone or the address is wrong: retrying cannot help
      }, function () { retry(0); });
    });
  }

  function retry(afterSeconds) {
    var jitter = Math.random() * Math.min(60000, 1000 * Math.pow(2, failures++));
    timer = setTimeout(connect, afterSeconds * 1000 + jitter);
  }

  // A hidden tab, or a page kept in the back/forward cache, would hold its stream (one of
  // the browser's six connections to this host) for nothing: close it, and catch up from
  // the last id seen when the page is shown again, so many open tabs never exhaust them.
  function pause() {
    if (timer) { clearTimeout(timer); timer = 0; }
    if (current) { var c = current; current = null; c.close(); }
    state("paused");
  }
  function resume() { if (!current && !timer) connect(); }
  document.addEventListener("visibilitychange", function () { if (document.hidden) pause(); else resume(); });
  window.addEventListener("pagehide", pause);
  window.addEventListener("pageshow", function (ev) { if (ev.persisted) resume(); });

  if (document.hidden) state("paused"); else connect();
})();

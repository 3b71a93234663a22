// Live replies: listen to the thread's event stream and put new replies into the tree
// where they belong, marked as new. Without JavaScript the page shows them on reload.
(function () {
  "use strict";
  var tree = document.querySelector("ol.tree[data-events]");
  if (!tree || !window.EventSource) return;

  // The page's words for a count (layout.html's #script-words, from the catalogs): the
  // form for one or for many, with the number written as the page's language writes it.
  var words = JSON.parse((document.getElementById("script-words") || {}).textContent || "{}");
  function counted(name, n) {
    var w = words[name];
    var num = n.toLocaleString(document.documentElement.lang || undefined);
    if (!w) return num;
    return (n === 1 ? w.one : w.other).replace("{n}", num);
  }

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
    var count = document.createElement("span");
    count.setAttribute("data-replies", "0"); // countUp words it
    summary.append(count);
    list = document.createElement("ol");
    list.className = "replies";
    details.append(summary, list);
    li.append(details);
    return list;
  }

  // Each subtree's reply count above the new one counts it too.
  function countUp(li) {
    for (; li; li = li.parentElement && li.parentElement.closest("li.node")) {
      var n = li.querySelector(":scope > details.subtree > summary [data-replies]");
      if (!n) continue;
      var count = Number(n.getAttribute("data-replies")) + 1;
      n.setAttribute("data-replies", count);
      n.textContent = counted("replies", count);
    }
  }

  // The thread's numbers as of this event, rendered by the server as a reload would show them.
  function onCounts(counts) {
    if (!counts) return;
    var replies = document.querySelector("[data-live-replies]");
    if (replies && counts.replies_html) replies.innerHTML = counts.replies_html;
    var tally = document.querySelector("[data-live-tally]");
    var fresh = tally && counts.tally && fragment(counts.tally.html);
    if (fresh) tally.replaceWith(fresh);
  }

  // New replies the reader has not seen yet: those that arrived off-screen (until they
  // scroll into view) and those whose parent is on another page of the thread. A small
  // pill counts them; a reply that arrives on screen just appears.
  var unseen = [];    // posts in this page, oldest first
  var elsewhere = []; // ids of posts on other pages: the pill links to the first
  var pill = document.createElement("div");
  pill.className = "live-pill";
  pill.setAttribute("aria-live", "polite");
  var pillButton = document.createElement("button");
  pillButton.type = "button";
  pillButton.className = "live-pill-button";
  pillButton.hidden = true;
  var pillLink = document.createElement("a");
  pillLink.className = "live-pill-link";
  pillLink.hidden = true;
  pill.append(pillButton, pillLink);
  tree.after(pill); // inside the page's main landmark; it is fixed on screen by the CSS

  function updatePill() {
    var n = unseen.length, m = elsewhere.length;
    pillButton.hidden = n === 0;
    pillButton.textContent = counted("newReplies", n);
    pillLink.hidden = m === 0;
    if (m) {
      pillLink.href = "/p/" + elsewhere[0];
      pillLink.textContent = counted("newRepliesElsewhere", m);
    }
    document.body.classList.toggle("has-live-pill", n + m > 0);
  }

  var observer = window.IntersectionObserver && new IntersectionObserver(function (entries) {
    entries.forEach(function (en) { if (en.isIntersecting) markSeen(en.target); });
  });

  function markSeen(post) {
    var i = unseen.indexOf(post);
    if (i < 0) return;
    unseen.splice(i, 1);
    if (observer) observer.unobserve(post);
    updatePill();
  }

  function onScreen(el) {
    var r = el.getBoundingClientRect();
    return r.height > 0 && r.bottom > 0 && r.top < window.innerHeight; // 0 tall: in a closed subtree
  }

  pillButton.addEventListener("click", function () {
    var post = unseen[0];
    if (!post) return;
    for (var d = post.closest("details"); d; d = d.parentElement.closest("details")) d.open = true;
    post.tabIndex = -1;
    var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    post.scrollIntoView({block: "center", behavior: still ? "auto" : "smooth"});
    post.focus({preventScroll: true});
    markSeen(post);
  });

  function onReply(ev) {
    var data = JSON.parse(ev.data);
    onCounts(data.counts);
    if (document.getElementById("p" + data.post_id)) return; // already shown
    var parent = data.parent_id && document.getElementById("p" + data.parent_id);
    if (!parent) { // on another page of the thread: counted, with a link to it
      if (elsewhere.indexOf(data.post_id) < 0) elsewhere.push(data.post_id);
      return updatePill();
    }
    var node = fragment(data.node);
    if (!node) return;
    node.classList.add("new");
    var li = parent.closest("li.node");
    repliesOf(li).append(node);
    countUp(li);
    var post = node.querySelector("article.post");
    if (!post || onScreen(post)) return;
    unseen.push(post);
    if (observer) observer.observe(post);
    updatePill();
  }

  function onEdit(ev) {
    var data = JSON.parse(ev.data);
    onCounts(data.counts);
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

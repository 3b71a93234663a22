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

  var source = new EventSource(tree.getAttribute("data-events"));
  source.addEventListener("open", function () { tree.setAttribute("data-live", "open"); });
  source.addEventListener("error", function () { tree.setAttribute("data-live", "reconnecting"); });
  source.addEventListener("reply", onReply);
  source.addEventListener("edit", onEdit);
})();

// Deleting one's own post asks first. Without JavaScript the Delete link opens a
// confirmation page; here it opens the same question and form in a native <dialog>.
// Escape or Cancel closes it and focus goes back to the link.
(function () {
  "use strict";
  if (typeof HTMLDialogElement !== "function") return; // the link's page still works

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function open(link) {
    var token = document.querySelector('input[name="csrf_token"]');
    if (!token) return false;
    var d = el("dialog", "confirm-dialog");
    var q = el("p", "confirm-question", link.getAttribute("data-confirm"));
    q.id = "confirm-question";
    d.setAttribute("aria-labelledby", q.id);
    d.appendChild(q);
    var post = link.closest("article.post");
    var body = post && post.querySelector(".post-body");
    var text = body ? body.textContent.replace(/\s+/g, " ").trim() : "";
    if (text) d.appendChild(el("blockquote", "delete-excerpt", text.length > 200 ? text.slice(0, 199) + "…" : text));

    var form = el("form", "confirm-delete-form");
    form.method = "post";
    form.action = link.getAttribute("href");
    var csrf = el("input");
    csrf.type = "hidden";
    csrf.name = "csrf_token";
    csrf.value = token.value;
    form.appendChild(csrf);
    var actions = el("div", "form-actions");
    var del = el("button", "button danger", "Delete post");
    del.type = "submit";
    var cancel = el("button", "button", "Cancel");
    cancel.type = "button";
    cancel.addEventListener("click", function () { d.close(); });
    actions.appendChild(del);
    actions.appendChild(cancel);
    form.appendChild(actions);
    d.appendChild(form);

    d.addEventListener("close", function () {
      d.remove();
      link.focus();
    });
    document.body.appendChild(d);
    d.showModal();
    cancel.focus(); // the safe choice under Enter
    return true;
  }

  document.addEventListener("click", function (ev) {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    var link = ev.target.closest && ev.target.closest("a[data-confirm]");
    if (link && open(link)) ev.preventDefault();
  });
})();

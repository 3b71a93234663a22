// One reply form and one flag form per page, not one under every post: opening a post's
// Reply or Flag puts a copy of the page's <template> in place, for that post. Without
// JavaScript the disclosure holds a link to a page with the same form (the post's own
// page for a reply, /p/ID/flag for a flag). Posts that arrive live get the same.
(function () {
  "use strict";

  // A fresh idempotency key for each copy: one page may send several replies.
  function idemKey() {
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return (x < 16 ? "0" : "") + x.toString(16); }).join("");
  }

  function copyOf(id) {
    var tpl = document.getElementById(id);
    return tpl && tpl.content.firstElementChild && tpl.content.firstElementChild.cloneNode(true);
  }

  // The field's id and its label's, for this post (the template's say 0).
  function name(form, field, id) {
    var el = form.querySelector("textarea");
    var label = el && form.querySelector('label[for="' + el.id + '"]');
    if (el) el.id = field + "-" + id;
    if (label) label.htmlFor = field + "-" + id;
    return label;
  }

  function reply(details) {
    var id = details.getAttribute("data-reply");
    var form = copyOf("reply-form-template");
    if (!form) return;
    form.querySelector('input[name="parent_id"]').value = id;
    form.querySelector('input[name="idem"]').value = idemKey();
    var label = name(form, "body", id);
    var link = details.querySelector("a.reply-page");
    if (link) {
      if (label) label.textContent = link.textContent;
      link.remove();
    }
    details.append(form);
    var body = form.querySelector("textarea");
    if (body) body.focus();
  }

  function flag(details) {
    var id = details.getAttribute("data-flag");
    var form = copyOf("flag-form-template");
    if (!form) return;
    form.setAttribute("action", "/p/" + id + "/flag");
    name(form, "flag-note", id);
    var link = details.querySelector("a.flag-page");
    if (link) link.remove();
    details.append(form);
  }

  // toggle does not bubble: listen in the capture phase, for posts added later too.
  document.addEventListener("toggle", function (ev) {
    var d = ev.target;
    if (!(d instanceof HTMLDetailsElement) || !d.open) return;
    if (d.matches("details.reply-action[data-reply]") && !d.querySelector("form")) reply(d);
    else if (d.matches("details.flag-action[data-flag]") && !d.querySelector("form")) flag(d);
  }, true);
})();

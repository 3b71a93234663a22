// Insightful marks without leaving the page: a press of a post's "Insightful · N" button
// sends its form as JSON (POST /p/:id/insightful with X-CSRF-Token) and shows the answer
// in place: aria-pressed and the count. Without JavaScript the same form posts and the
// page comes back at the post. Delegated from the document, so posts that arrive live
// work too.
(function () {
  "use strict";
  if (!window.fetch || !window.URLSearchParams) return;

  function say(form, message) {
    var out = form.querySelector(".insightful-error");
    if (!out) {
      out = document.createElement("span");
      out.className = "insightful-error";
      out.setAttribute("role", "status");
      form.appendChild(out);
    }
    out.textContent = message;
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("insightful-form")) return;
    var button = form.querySelector("button[aria-pressed]");
    var token = form.elements.namedItem("csrf_token");
    if (!button || !token) return;
    ev.preventDefault();
    if (button.disabled) return; // one request at a time: a double click is one toggle
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": token.value },
    }).then(function (resp) {
      return resp.json().then(function (data) {
        if (!resp.ok) throw new Error(data.error || "That did not work. Try again.");
        button.setAttribute("aria-pressed", data.marked ? "true" : "false");
        var count = button.querySelector(".insightful-count");
        if (count) count.textContent = String(data.count);
        say(form, "");
      });
    }).catch(function (err) {
      say(form, err && err.message ? err.message : "That did not work. Try again.");
    }).then(function () {
      button.disabled = false;
    });
  });
})();

// Live preview: under a post form's text box, the draft as it will be posted, rendered
// by the forum's own pipeline (POST /preview asking for JSON) 400 ms after the last
// keystroke. Without JavaScript the form's Preview button shows the same on a page of
// its own. The HTML comes from the server's sanitiser, as every stored post does.
(function () {
  "use strict";
  if (!window.fetch || !window.URLSearchParams) return;

  var debounce = 400; // ms after the last keystroke

  function attach(form) {
    var text = form.elements.namedItem("body");
    var token = form.elements.namedItem("csrf_token");
    var box = form.querySelector("[data-preview]");
    var output = box && box.querySelector("[data-preview-output]");
    if (!text || !token || !output || form.hasAttribute("data-preview-live")) return;
    form.setAttribute("data-preview-live", "");

    var timer = 0;
    var inFlight = null;  // the AbortController of the request under way
    var shown = box.hidden ? null : text.value; // the text previewed (or being fetched)
    var pausedUntil = 0;  // after a 429: no request before this time

    function show(html) {
      output.innerHTML = html;
      // Styled as a post once it holds one; until then the page's post bodies are its
      // posts alone.
      output.classList.add("post-body");
      box.hidden = false;
    }

    function say(message) {
      var p = document.createElement("p");
      p.className = "form-error";
      p.textContent = message;
      output.textContent = "";
      output.appendChild(p);
      box.hidden = false;
    }

    function schedule(delay) {
      clearTimeout(timer);
      timer = setTimeout(render, delay);
    }

    function render() {
      timer = 0;
      var body = text.value;
      if (body === shown) return;
      if (!body.trim()) {
        if (inFlight) inFlight.abort();
        inFlight = null;
        shown = body;
        box.hidden = true;
        output.textContent = "";
        return;
      }
      var wait = pausedUntil - Date.now();
      if (wait > 0) return schedule(wait);
      if (inFlight) inFlight.abort();
      var ctl = inFlight = new AbortController();
      shown = body;
      fetch("/preview", {
        method: "POST",
        credentials: "same-origin",
        headers: {"Accept": "application/json", "X-CSRF-Token": token.value},
        body: new URLSearchParams({body: body}),
        signal: ctl.signal
      }).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) {
          if (ctl !== inFlight) return; // a newer draft went out since
          inFlight = null;
          if (r.ok && typeof data.html === "string") return show(data.html);
          if (r.status === 429) {
            // Rendering is rate-limited; try again when the server says.
            pausedUntil = Date.now() + 1000 * (Number(r.headers.get("Retry-After")) || 10);
            shown = null;
            schedule(pausedUntil - Date.now());
          }
          say(data.error || "The preview is not available just now; the Preview button still works.");
        });
      }).catch(function () {
        if (ctl !== inFlight) return; // aborted for a newer draft
        inFlight = null;
        shown = null; // offline or refused: the next keystroke tries again
      });
    }

    text.addEventListener("input", function () { schedule(debounce); });
    // A page that came back with the text kept shows its preview at once.
    if (text.value.trim()) schedule(0);
  }

  var buttons = document.querySelectorAll('button[formaction="/preview"]');
  for (var i = 0; i < buttons.length; i++) {
    if (buttons[i].form) attach(buttons[i].form);
  }
})();

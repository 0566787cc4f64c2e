// Live preview on the admin's question page: each markdown field (question, explanation,
// option, feedback) shows, under it, what candidates will see. The server renders and
// sanitizes (quizzes.admin.live_preview); this script only asks and shows. Fields carry
// the endpoint and the words to show in data-preview-* attributes.
(function () {
  "use strict";

  if (!window.fetch || !window.URLSearchParams || !window.WeakMap) {
    return;
  }
  // Wait for a pause in typing: every request renders on the server and counts against
  // the author's rate limit.
  var DELAY_MS = 600;
  var panels = new WeakMap();

  function csrfToken(field) {
    var input = (field.form || document).querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  function element(tag, className) {
    var node = document.createElement(tag);
    node.className = className;
    return node;
  }

  function panelFor(field) {
    var panel = panels.get(field);
    if (panel) {
      return panel;
    }
    var box = element("div", "live-preview");
    var label = element("div", "live-preview-label");
    label.textContent = field.dataset.previewLabel || "";
    var body = element("div", "live-preview-body");
    if (field.dataset.previewInline === "1") {
      body.classList.add("live-preview-inline");
    }
    var problems = element("ul", "live-preview-problems");
    problems.setAttribute("aria-live", "polite");
    box.appendChild(label);
    box.appendChild(body);
    box.appendChild(problems);
    // On the question's own page a field sits in a row with its label: preview below it.
    (field.closest(".flex-container") || field).insertAdjacentElement("afterend", box);
    panel = { box: box, body: body, problems: problems, timer: null, sent: 0 };
    panels.set(field, panel);
    return panel;
  }

  function listProblems(panel, errors, warnings) {
    panel.problems.textContent = "";
    [["error", errors], ["warning", warnings]].forEach(function (pair) {
      (pair[1] || []).forEach(function (message) {
        var item = element("li", "live-preview-" + pair[0]);
        item.textContent = message;
        panel.problems.appendChild(item);
      });
    });
  }

  function show(field, panel, data) {
    if (typeof data.html === "string") {
      // The only HTML this script inserts: rendered and sanitized by the server with the
      // renderer candidate pages use (quizzes.rendering.preview_markdown).
      panel.body.innerHTML = data.html;
      listProblems(panel, data.errors, data.warnings);
    } else {
      listProblems(panel, [data.error || field.dataset.previewFailed || ""], []);
    }
    panel.box.hidden = !field.value && !panel.problems.childElementCount;
  }

  function send(field, panel) {
    panel.sent += 1;
    var number = panel.sent;
    var body = new URLSearchParams();
    body.set("csrfmiddlewaretoken", csrfToken(field));
    body.set("text", field.value);
    body.set("inline", field.dataset.previewInline === "1" ? "1" : "0");
    fetch(field.dataset.previewUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
      body: body
    })
      .then(function (response) {
        // A login page or an error page is not JSON: show the generic failure.
        return response.json().catch(function () { return {}; });
      })
      .catch(function () { return {}; })
      .then(function (data) {
        // An answer for an older text that arrived late is not shown.
        if (number === panel.sent) {
          show(field, panel, data);
        }
      });
  }

  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!(field instanceof HTMLTextAreaElement) || !field.dataset.previewUrl) {
      return;
    }
    var panel = panelFor(field);
    window.clearTimeout(panel.timer);
    panel.timer = window.setTimeout(function () { send(field, panel); }, DELAY_MS);
  });
})();

// A model's pictures: the upload form in #model-pictures, the picture's Markdown put into
// the body (#body) at the cursor, and what `check` will say about the picture shown at once.
"use strict";
(() => {
  const section = document.getElementById("model-pictures");
  if (!section || !window.fetch) return;
  const slug = section.dataset.slug;
  const token = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function insertInBody(markdown) {
    const body = document.getElementById("body");
    if (!body) return false;
    const start = body.selectionStart ?? body.value.length;
    const end = body.selectionEnd ?? start;
    const before = body.value.slice(0, start);
    const after = body.value.slice(end);
    // A picture is a paragraph of its own: a blank line before and after it.
    const lead = before === "" || before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
    const tail = after.startsWith("\n\n") ? "" : after.startsWith("\n") ? "\n" : "\n\n";
    body.setRangeText(lead + markdown + tail, start, end, "end");
    body.dispatchEvent(new Event("input", { bubbles: true }));
    body.focus();
    return true;
  }

  // What `check` will say of a kept picture is a warning; why one was refused, an error.
  function showProblems(box, problems, hintLabel, refused = true) {
    box.replaceChildren();
    box.classList.toggle("refused", refused);
    if (!problems || problems.length === 0) return;
    const list = document.createElement("ul");
    for (const problem of problems) {
      const item = document.createElement("li");
      item.textContent = problem.message;
      if (problem.hint) {
        const hint = document.createElement("span");
        hint.className = "hint";
        hint.textContent = ` — ${hintLabel}: ${problem.hint}`;
        item.appendChild(hint);
      }
      list.appendChild(item);
    }
    box.appendChild(list);
  }

  function wire(form) {
    const status = form.querySelector(".picture-status");
    const problems = form.querySelector(".picture-problems");
    const button = form.querySelector("button[type=submit]");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      button.disabled = true;
      status.textContent = "";
      showProblems(problems, []);
      try {
        const answer = await fetch(form.action, {
          method: "POST",
          body: new FormData(form),
          headers: { "X-CSRF-Token": token(), Accept: "application/json" },
          credentials: "same-origin",
        });
        let data = {};
        try { data = await answer.json(); } catch { data = { error: answer.statusText } }
        if (!answer.ok) {
          showProblems(problems, data.problems || [{ message: data.error || answer.statusText }],
                       form.dataset.hintLabel);
          return;
        }
        insertInBody(data.markdown);
        status.textContent = data.message;
        showProblems(problems, data.problems, form.dataset.hintLabel, false);
        form.reset();
      } catch {
        showProblems(problems, [{ message: form.dataset.failed }], form.dataset.hintLabel);
      } finally {
        button.disabled = false;
      }
    });
  }

  async function load() {
    const answer = await fetch(`/models/${encodeURIComponent(slug)}/pictures`,
                               { credentials: "same-origin" });
    if (!answer.ok) return;  // a reader: no form
    section.innerHTML = await answer.text();  // the server's own page piece, escaped there
    section.setAttribute("aria-labelledby", "pictures-title");
    const form = section.querySelector("form.picture-upload");
    if (form) wire(form);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", load);
  else load();
})();

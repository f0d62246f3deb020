// The model's form: checked and previewed as it is typed, the person's inputs only for an
// individual's model, the communes of the chosen district, a toolbar for the Markdown, and
// who else has the model open. Without this script the form still shows and saves.
"use strict";
(() => {
  const DELAY = 600; // ms after the last key before the check and the preview run
  const HEARTBEAT = 20000; // ms between "I still have it open"
  const token = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": token() },
    });
  }

  // The person's inputs only for `ca-nhan`; the communes of the chosen district only.
  function followChoices(form) {
    const kind = form.querySelector("#f-kind");
    const person = form.querySelector("#person-fields");
    const district = form.querySelector("#f-district");
    const commune = form.querySelector("#f-commune");
    const showPerson = () => { if (person && kind) person.hidden = kind.value !== "ca-nhan"; };
    const showCommunes = () => {
      if (!district || !commune) return;
      for (const group of commune.querySelectorAll("optgroup")) {
        const mine = group.dataset.district === district.value;
        group.hidden = !mine;
        group.disabled = !mine;
      }
      const chosen = commune.selectedOptions[0];
      if (chosen && chosen.parentElement.tagName === "OPTGROUP" && chosen.parentElement.disabled) {
        commune.value = "";
      }
    };
    kind?.addEventListener("change", showPerson);
    district?.addEventListener("change", showCommunes);
    showPerson();
    showCommunes();
  }

  function problemItem(problem, withLine) {
    const item = document.createElement("li");
    item.className = `problem ${problem.severity}`;
    if (withLine) {
      const go = document.createElement("button");
      go.type = "button";
      go.className = "link goto";
      go.dataset.line = problem.line;
      go.textContent = labels.line.replace("{line}", problem.line);
      item.append(go, ": ");
    }
    const severity = document.createElement("strong");
    severity.textContent = `${problem.severity === "error" ? labels.error : labels.warning}:`;
    const code = document.createElement("code");
    code.textContent = `[${problem.code}]`;
    item.append(severity, ` ${problem.message} `, code);
    if (problem.hint) {
      const hint = document.createElement("span");
      hint.className = "hint";
      hint.textContent = `${labels.hint}: ${problem.hint}`;
      item.append(document.createElement("br"), hint);
    }
    return item;
  }

  const labels = { error: "error", warning: "warning", hint: "hint", line: "line {line}" };

  function showProblems(form, found) {
    for (const list of form.querySelectorAll("ul.problems")) {
      const key = list.dataset.for;
      const items = key === "body" ? found.body : key === "other" ? found.other : found.fields[key] || [];
      list.replaceChildren(...items.map((p) => problemItem(p, key === "body")));
      const input = form.querySelector(`[aria-describedby~="${list.id}"]`);
      if (input && key !== "other") {
        if (items.some((p) => p.severity === "error")) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      }
    }
  }

  // The facts still saying TODO, marked as they are typed.
  function markTodo(form) {
    for (const field of form.querySelectorAll(".field[data-key]")) {
      const input = field.querySelector("input, select, textarea");
      const mark = field.querySelector(".todo-mark");
      const todo = !!input && input.value.trim().startsWith("TODO");
      field.classList.toggle("todo", todo);
      if (mark) mark.hidden = !todo;
    }
  }

  function goToLine(textarea, line) {
    const lines = textarea.value.split("\n");
    const start = lines.slice(0, line - 1).reduce((sum, text) => sum + text.length + 1, 0);
    textarea.focus();
    textarea.setSelectionRange(start, start + (lines[line - 1] || "").length);
  }

  // The toolbar: Markdown put in at the cursor, as an editor would type it.
  function insert(textarea, what, text) {
    const { value, selectionStart: start, selectionEnd: end } = textarea;
    const lineStart = value.lastIndexOf("\n", start - 1) + 1;
    let result;
    if (what === "heading" || what === "bullets" || what === "numbers") {
      const lineEnd = value.indexOf("\n", end) === -1 ? value.length : value.indexOf("\n", end);
      const lines = value.slice(lineStart, lineEnd).split("\n");
      const changed = lines.map((line, i) => {
        const bare = line.replace(/^(#{1,6} |- |\d+\. )/, "");
        return what === "heading" ? `## ${bare}` : what === "bullets" ? `- ${bare}` : `${i + 1}. ${bare}`;
      }).join("\n");
      result = [value.slice(0, lineStart) + changed + value.slice(lineEnd), lineStart + changed.length];
    } else if (what === "footnote") {
      const used = [...value.matchAll(/\[\^(\d+)\]/g)].map((m) => Number(m[1]));
      const n = used.length ? Math.max(...used) + 1 : 1;
      const before = value.slice(0, end) + `[^${n}]`;
      const after = value.slice(end).replace(/\n*$/, "");
      const text2 = `${before}${after}\n\n[^${n}]: `;
      result = [text2 + "\n", text2.length];
    } else {
      const picture = `![${text || "mô tả"}](../images/)`;
      result = [value.slice(0, start) + picture + value.slice(end), start + picture.length - 1];
    }
    textarea.value = result[0];
    textarea.focus();
    textarea.setSelectionRange(result[1], result[1]);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function start() {
    const form = document.getElementById("model-form");
    const chooser = form || document.getElementById("new-model");
    if (chooser) followChoices(chooser);
    if (!form) return;
    const slug = form.dataset.slug;
    const editable = form.dataset.editable === "1";
    const preview = document.getElementById("preview");
    const body = document.getElementById("body");
    const state = document.getElementById("check-state");
    let timer = null;
    let dirty = false;
    let asked = 0;

    async function refresh() {
      const number = ++asked;
      const data = new URLSearchParams(new FormData(form));
      try {
        if (preview) {
          const answer = await post(`/models/${slug}/preview`, data);
          if (answer.ok && number === asked) preview.srcdoc = await answer.text();
        }
        if (editable) {
          const answer = await post(`/models/${slug}/check`, data);
          if (answer.ok && number === asked) {
            showProblems(form, await answer.json());
            if (state) state.textContent = "";
          }
        }
      } catch (error) {
        if (state) state.textContent = String(error);
      }
    }

    form.addEventListener("input", () => {
      dirty = true;
      markTodo(form);
      clearTimeout(timer);
      timer = setTimeout(refresh, DELAY);
    });
    form.addEventListener("change", () => { clearTimeout(timer); timer = setTimeout(refresh, DELAY); });
    form.addEventListener("submit", () => { dirty = false; });
    window.addEventListener("beforeunload", (event) => { if (dirty) event.preventDefault(); });
    form.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-insert]");
      if (button && body) insert(body, button.dataset.insert, button.dataset.text);
      const go = event.target.closest("button.goto");
      if (go && body) goToLine(body, Number(go.dataset.line));
    });
    // the words the page uses, so the script's messages read as the server's
    for (const key of Object.keys(labels)) {
      const word = form.dataset[`label${key[0].toUpperCase()}${key.slice(1)}`];
      if (word) labels[key] = word;
    }

    const presence = document.getElementById("presence");
    async function beat() {
      try {
        const answer = await post(`/models/${slug}/presence`, new URLSearchParams());
        if (!answer.ok || !presence) return;
        const { others } = await answer.json();
        presence.textContent = others.length ? `${presence.dataset.label} ${others.join(", ")}` : "";
      } catch (error) { /* the next beat tries again */ }
    }
    setInterval(beat, HEARTBEAT);
  }

  document.addEventListener("DOMContentLoaded", start);
})();

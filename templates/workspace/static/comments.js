// A model's comments from the review: listed in #model-comments, resolved and answered in
// place, and the text each open comment quotes marked in the model's preview (#preview: an
// element, or an iframe whose document is this site's).
"use strict";
(() => {
  const section = document.getElementById("model-comments");
  if (!section || !window.fetch) return;
  const slug = section.dataset.slug;
  const address = `/models/${encodeURIComponent(slug)}/comments`;
  const token = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const MARK = "comment-quote";

  function previewRoot() {
    const preview = document.getElementById("preview");
    if (!preview) return null;
    if (preview.tagName === "IFRAME") {
      try {
        const inner = preview.contentDocument;
        return inner && inner.body ? inner.body : null;
      } catch { return null; }  // another origin: the list alone shows the quotes
    }
    return preview;
  }

  const normal = (text) => text.replace(/[…]/g, " ").replace(/\s+/g, " ").trim();

  // Every text node under `root` and, for each character of the text with its runs of
  // white space made one space, the node and offset it came from.
  function textMap(root) {
    const walker = root.ownerDocument.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let text = "";
    const where = [];
    let space = true;
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const value = node.nodeValue;
      for (let i = 0; i < value.length; i += 1) {
        const isSpace = /\s/.test(value[i]);
        if (isSpace && space) continue;
        text += isSpace ? " " : value[i];
        where.push([node, i]);
        space = isSpace;
      }
    }
    return { text, where };
  }

  function unmark(root) {
    for (const mark of root.querySelectorAll(`mark.${MARK}`)) {
      mark.replaceWith(...mark.childNodes);
    }
    root.normalize();
  }

  // `quote` found in `root` wrapped in <mark> elements (one per text node it spans).
  function markQuote(root, quote, id, title) {
    let wanted = normal(quote);
    const map = textMap(root);
    let at = map.text.indexOf(wanted);
    if (at < 0 && wanted.length > 60) {  // a long quote: its start is enough to find it
      wanted = wanted.slice(0, 60).trim();
      at = map.text.indexOf(wanted);
    }
    if (at < 0 || wanted === "") return null;
    const pieces = new Map();
    for (let i = at; i < at + wanted.length; i += 1) {
      const [node, offset] = map.where[i];
      const piece = pieces.get(node) || [offset, offset];
      piece[1] = offset + 1;
      pieces.set(node, piece);
    }
    let first = null;
    for (const [node, [start, end]] of pieces) {
      const range = root.ownerDocument.createRange();
      range.setStart(node, start);
      range.setEnd(node, end);
      const mark = root.ownerDocument.createElement("mark");
      mark.className = MARK;
      mark.dataset.comment = id;
      mark.title = title;
      range.surroundContents(mark);
      first = first || mark;
    }
    return first;
  }

  let marking = false;
  function highlight() {
    const root = previewRoot();
    const items = section.querySelectorAll("li.comment[data-quoted]");
    if (!root) return;
    marking = true;
    unmark(root);
    for (const item of items) {
      const text = item.querySelector(".text");
      const mark = markQuote(root, item.dataset.quoted, item.dataset.id,
                             text ? text.textContent : "");
      const show = item.querySelector(".show-quote");
      if (show) {
        show.hidden = !mark;
        show.onclick = mark ? () => mark.scrollIntoView({ block: "center" }) : null;
      }
    }
    observer.takeRecords();
    marking = false;
  }

  let pending = 0;
  const observer = new MutationObserver(() => {
    if (marking) return;
    clearTimeout(pending);
    pending = setTimeout(highlight, 150);
  });

  function watchPreview() {
    const preview = document.getElementById("preview");
    if (!preview) return;
    if (preview.tagName === "IFRAME") preview.addEventListener("load", highlight);
    else observer.observe(preview, { childList: true, subtree: true, characterData: true });
  }

  async function show(answer) {
    section.innerHTML = await answer.text();  // the server's own page piece, escaped there
    section.setAttribute("aria-labelledby", "comments-title");
    highlight();
  }

  async function load() {
    const answer = await fetch(address, { credentials: "same-origin" });
    if (answer.ok) await show(answer);
  }

  section.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-comment-action")) return;
    event.preventDefault();
    const answer = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-CSRF-Token": token(), "X-Fragment": "1" },
      credentials: "same-origin",
    });
    await show(answer);
    const status = section.querySelector(".comments-status");
    const done = form.querySelector("button[type=submit]");
    if (answer.ok && status && done) status.textContent = done.textContent.trim() + " ✓";
  });

  function start() { watchPreview(); load(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

// The editorial workspace's shared script: a job's progress as it comes.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const state = document.getElementById("job-state");
  const lines = document.getElementById("job-lines");
  if (!state || !lines || !window.EventSource) return;
  if (state.dataset.state === "done" || state.dataset.state === "failed") return;
  const source = new EventSource(`/jobs/${state.dataset.job}/events`);
  let shown = lines.children.length;
  source.onmessage = (event) => {
    if (shown > 0) { shown -= 1; return; }  // already on the page
    const item = document.createElement("li");
    item.textContent = JSON.parse(event.data);
    lines.appendChild(item);
  };
  source.addEventListener("done", () => { source.close(); window.location.reload(); });
});

// builder serve only: reload the page after each rebuild; show the check's problems if the
// last save broke an entry (the page keeps showing the last good version).
let version = null;
async function poll() {
  try {
    const status = await (await fetch("/__status", { cache: "no-store" })).json();
    const errors = status.errors; // in the editor's language: not matched by their words
    if (version !== null && status.version !== version && !errors.length) {
      location.reload();
      return;
    }
    version = status.version;
    let box = document.getElementById("builder-problems");
    if (errors.length) {
      if (!box) {
        box = document.createElement("pre");
        box.id = "builder-problems";
        box.className = "builder-problems";
        document.body.prepend(box);
      }
      box.textContent = "Lỗi trong nội dung (trang vẫn hiện bản tốt gần nhất):\n\n" + errors.join("\n");
    } else if (box) {
      box.remove();
    }
  } catch (error) {
    // the server is restarting: try again
  }
  setTimeout(poll, 300);
}
poll();

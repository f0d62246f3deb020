// builder serve only: reload the page after each rebuild; show the check's problems if the
// last save broke an entry (the page keeps showing the last good version), and say so when a
// rebuild takes long (a file in the book that never finishes reading).
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
    const slow = status.building && status.building_seconds >= 5;
    let box = document.getElementById("builder-problems");
    if (errors.length || slow) {
      if (!box) {
        box = document.createElement("pre");
        box.id = "builder-problems";
        box.className = "builder-problems";
        document.body.prepend(box);
      }
      box.textContent = errors.length
        ? "Lỗi trong nội dung (trang vẫn hiện bản tốt gần nhất):\n\n" + errors.join("\n")
        : `Trang đang được dựng lại (đã ${Math.round(status.building_seconds)} giây). Nếu lâu ` +
          "quá, hãy xem trong thư mục sách có tệp nào không đọc được không.";
    } else if (box) {
      box.remove();
    }
  } catch (error) {
    // the server is restarting: try again
  }
  setTimeout(poll, 300);
}
poll();

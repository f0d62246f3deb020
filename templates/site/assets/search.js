// The search page: Pagefind's index, queried as typed, with filters and accented excerpts.
// Vietnamese words are several syllables: a query of several syllables is first searched as
// a phrase, so “hoa lu” puts Hoa Lư before pages that merely say “hóa” and “lúa”.
// The index holds “đ” as “d” (Pagefind folds tone marks but not đ); each record carries
// where its “đ”/“Đ” stood, and the excerpt shown gets them back.
const form = document.querySelector(".search-form");
const input = document.getElementById("q");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");
const selects = [...form.querySelectorAll("select")];
const PAGE = 10;
let pagefindLoading = null;
let latest = 0;
let pending = [];

// The index is in shards (pagefind/0/, pagefind/1/…, so an edit re-indexes one): the first
// is loaded, the others merged into it, and their results ranked together. Result addresses
// are relative to the site's root, wherever the site is published.
async function loadPagefind() {
  const module = await import("../pagefind/0/pagefind.js");
  const baseUrl = new URL("../", import.meta.url).pathname;
  await module.options({ noWorker: true, baseUrl });
  for (let shard = 1; shard < Number(form.dataset.shards || 1); shard++) {
    await module.mergeIndex(new URL(`../pagefind/${shard}/`, import.meta.url).pathname, { baseUrl });
  }
  return module;
}

const foldD = (text) => text.normalize("NFC").replace(/đ/g, "d").replace(/Đ/g, "D");

function decode(html) {
  const area = document.createElement("textarea");
  area.innerHTML = html; // RCDATA: entities are decoded, no element is ever created
  return area.value;
}

function escapeHtml(text) {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

// The excerpt as safe HTML, marks kept and every đ/Đ put back where the original had it.
function excerptHtml(data) {
  const parts = data.excerpt.split(/(<\/?mark>)/).map((p) => (p.startsWith("<") && p.endsWith("mark>") ? p : decode(p)));
  const plain = parts.filter((p) => !p.endsWith("mark>")).join("");
  const start = data.content.indexOf(plain);
  const letters = new Map();
  for (const [key, letter] of [["d", "đ"], ["D", "Đ"]]) {
    for (const p of (data.meta[key] || "").split(",").filter(Boolean)) letters.set(Number(p) - start, letter);
  }
  let index = 0;
  return parts.map((part) => {
    if (part.endsWith("mark>")) return part;
    let text = "";
    for (const ch of part) { text += (start >= 0 && letters.get(index)) || ch; index += ch.length; }
    return escapeHtml(text);
  }).join("");
}

function card(data) {
  const item = document.createElement("li");
  item.className = "card";
  item.innerHTML =
    `<a class="card-title" href="${escapeHtml(data.url)}">${escapeHtml(data.meta.title)}</a>` +
    `<p class="card-meta">${escapeHtml(data.meta.place)} · ${escapeHtml(data.meta.year)}</p>` +
    `<p class="excerpt">${excerptHtml(data)}</p>`;
  return item;
}

async function showMore(ticket) {
  const batch = pending.splice(0, PAGE);
  const data = await Promise.all(batch.map((r) => r.data()));
  if (ticket !== latest) return;
  list.append(...data.map(card));
  more.hidden = pending.length === 0;
}

async function run() {
  const query = input.value.trim();
  const filters = {};
  for (const select of selects) if (select.value) filters[select.name] = select.value;
  const params = new URLSearchParams();
  if (query) params.set("q", query);
  for (const [key, value] of Object.entries(filters)) params.set(key, value);
  history.replaceState(null, "", params.toString() ? `?${params}` : location.pathname);
  const ticket = ++latest;
  if (!query && !Object.keys(filters).length) {
    list.replaceChildren();
    more.hidden = true;
    status.textContent = "Nhập từ khóa để tìm trong tất cả mô hình.";
    return;
  }
  // Until this query's results are in, the count shown is not an earlier query's.
  status.textContent = "Đang tìm…";
  // One load for all the queries typed meanwhile. Pagefind keeps a shard that failed to
  // merge, so a failed load is not tried again: the page has to be loaded again.
  pagefindLoading ??= loadPagefind();
  let pagefind;
  try {
    pagefind = await pagefindLoading;
  } catch {
    if (ticket === latest) status.textContent = "Không tải được chỉ mục tìm kiếm. Hãy tải lại trang.";
    return;
  }
  const folded = query ? foldD(query) : null;
  const searches = [pagefind.search(folded, { filters })];
  if (folded && folded.split(/\s+/).length > 1) searches.unshift(pagefind.search(`"${folded.replace(/"/g, "")}"`, { filters }));
  const found = await Promise.all(searches);
  if (ticket !== latest) return;
  const seen = new Set();
  pending = found.flatMap((search) => search.results).filter((r) => !seen.has(r.id) && seen.add(r.id));
  const total = pending.length;
  list.replaceChildren();
  await showMore(ticket);
  if (ticket !== latest) return;
  status.textContent = total
    ? `Tìm thấy ${total} mô hình.`
    : "Không tìm thấy mô hình nào. Hãy thử từ khóa khác.";
}

const params = new URLSearchParams(location.search);
input.value = params.get("q") || "";
for (const select of selects) select.value = params.get(select.name) || "";
status.textContent = "Nhập từ khóa để tìm trong tất cả mô hình.";
let timer;
input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 200); });
for (const select of selects) select.addEventListener("change", run);
form.addEventListener("submit", (event) => { event.preventDefault(); run(); });
more.addEventListener("click", () => showMore(latest));
if (input.value || selects.some((s) => s.value)) run();

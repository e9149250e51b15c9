// The playground: POST the text to /v1/normalize and show the result with every edit highlighted.
// Edit offsets are code points into the ORIGINAL text; JavaScript strings are UTF-16, so the text
// is split into code points with Array.from before slicing.
"use strict";

const $ = (id) => document.getElementById(id);
const descriptions = new Map();

async function loadProfiles() {
  const response = await fetch("/v1/profiles");
  const body = await response.json();
  for (const { name, description } of body.profiles) {
    descriptions.set(name, description);
    $("profile").append(new Option(name, name, name === body.default, name === body.default));
  }
  showDescription();
}

function showDescription() {
  $("profile-description").textContent = descriptions.get($("profile").value) || "";
}

const chain = (edit) => edit.rules.join(" → ");

// The code points of a string's non-ASCII characters, e.g. "К U+041A" for the Cyrillic К in "Кiev".
function codePoints(text) {
  const seen = new Set(Array.from(text).filter((c) => c.codePointAt(0) > 0x7e));
  return Array.from(seen, (c) => `${c} U+${c.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}`).join(", ");
}

function tip(edit) {
  const points = codePoints(edit.original);
  return `${JSON.stringify(edit.original)} → ${JSON.stringify(edit.replacement)}` +
    (points ? `\nwas: ${points}` : "") + `\nrule: ${chain(edit)}\ncategory: ${edit.category}`;
}

// One tooltip for every mark: opened by hover, keyboard focus or a tap, kept inside the window.
const tooltip = document.createElement("div");
tooltip.id = "tip";
tooltip.setAttribute("role", "tooltip");
tooltip.hidden = true;
let tipOwner = null;

function openTip(mark) {
  tipOwner = mark;
  tooltip.textContent = mark.dataset.tip;
  tooltip.hidden = false;
  const box = mark.getBoundingClientRect();
  const margin = 8;
  const width = tooltip.offsetWidth;
  const height = tooltip.offsetHeight;
  const left = Math.max(margin, Math.min(box.left, document.documentElement.clientWidth - width - margin));
  const below = box.bottom + 6;
  const top = below + height + margin > window.innerHeight ? Math.max(margin, box.top - height - 6) : below;
  tooltip.style.left = `${left}px`;
  tooltip.style.top = `${top}px`;
  mark.setAttribute("aria-describedby", "tip");
}

function closeTip(mark) {
  if (mark && mark !== tipOwner) return;
  if (tipOwner) tipOwner.removeAttribute("aria-describedby");
  tipOwner = null;
  tooltip.hidden = true;
}

function watchTips(output) {
  const markOf = (event) => event.target.closest && event.target.closest("mark.edit");
  output.addEventListener("mouseover", (event) => { const m = markOf(event); if (m) openTip(m); });
  output.addEventListener("mouseout", (event) => { const m = markOf(event); if (m) closeTip(m); });
  output.addEventListener("focusin", (event) => { const m = markOf(event); if (m) openTip(m); });
  output.addEventListener("focusout", (event) => { const m = markOf(event); if (m) closeTip(m); });
  // A tap sends mouseover before click: whether the tip was already open is decided at pointerdown.
  let openBeforeTap = false;
  output.addEventListener("pointerdown", (event) => { openBeforeTap = !tooltip.hidden && markOf(event) === tipOwner; });
  output.addEventListener("click", (event) => {
    const m = markOf(event);
    if (!m) return;
    if (openBeforeTap && event.pointerType !== "mouse") closeTip(m);
    else openTip(m);
  });
  document.addEventListener("keydown", (event) => { if (event.key === "Escape") closeTip(); });
  window.addEventListener("scroll", () => closeTip(), { passive: true });
}

function highlighted(original, edits) {
  const points = Array.from(original);
  const out = document.createDocumentFragment();
  let pos = 0;
  for (const edit of edits) {
    out.append(points.slice(pos, edit.start).join(""));
    const mark = document.createElement("mark");
    mark.className = `edit cat-${edit.category}`;
    mark.textContent = edit.replacement;
    mark.dataset.original = edit.original;
    mark.dataset.rule = edit.rule;
    mark.dataset.category = edit.category;
    mark.dataset.rules = chain(edit);
    mark.dataset.tip = tip(edit);
    mark.tabIndex = 0;
    if (Array.from(edit.replacement).length <= 2) mark.classList.add("short");
    mark.setAttribute("aria-label", `${edit.replacement}, was ${edit.original} (${chain(edit)}, ${edit.category})`);
    out.append(mark);
    pos = edit.end;
  }
  out.append(points.slice(pos).join(""));
  return out;
}

function item(parts) {
  const li = document.createElement("li");
  for (const [tag, text, cls] of parts) {
    const node = tag ? document.createElement(tag) : document.createTextNode(text);
    if (tag) node.textContent = text;
    if (cls) node.className = cls;
    li.append(node);
  }
  return li;
}

function show(original, result) {
  $("output").replaceChildren(highlighted(original, result.edits));
  const points = Array.from(original);
  $("warnings").replaceChildren(...result.warnings.map((w) => item([
    ["code", w.code], [null, ` ${w.message} — at `], ["code", points.slice(w.start, w.end).join("")],
  ])));
  if (!result.warnings.length) $("warnings").replaceChildren(item([[null, "none"]]));
  $("changes").replaceChildren(...result.edits.map((e) => item([
    ["code", e.original, "original"], [null, " → "], ["code", e.replacement, "replacement"], [null, " "],
    ["span", codePoints(e.original), "points"], [null, " "],
    ["span", e.category, `cat-${e.category}`], [null, " "], ["span", chain(e), "rule"],
  ])));
  const n = result.edits.length;
  $("summary").textContent = `${n} change${n === 1 ? "" : "s"}, ${result.warnings.length} warning(s) · ruleset ${result.ruleset}`;
}

async function normalize() {
  const text = $("source").value;
  $("normalize").disabled = true;
  $("status").className = "";
  $("status").textContent = "working…";
  try {
    const response = await fetch("/v1/normalize", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text, profile: $("profile").value }),
    });
    const body = await response.json();
    if (!response.ok) throw new Error(`${body.error.code}: ${body.error.message}`);
    show(text, body);
    $("status").textContent = "done";
  } catch (error) {
    $("status").className = "error";
    $("status").textContent = String(error.message || error);
  } finally {
    $("normalize").disabled = false;
  }
}

document.body.append(tooltip);
watchTips($("output"));
$("normalize").addEventListener("click", normalize);
$("profile").addEventListener("change", showDescription);
$("source").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) normalize();
});
loadProfiles().catch((error) => { $("status").textContent = `profiles: ${error}`; });

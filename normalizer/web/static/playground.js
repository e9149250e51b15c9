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

function tip(edit) {
  const rules = edit.rules.length > 1 ? edit.rules.join(" → ") : edit.rule;
  return `${JSON.stringify(edit.original)} → ${JSON.stringify(edit.replacement)}\nrule: ${rules}\ncategory: ${edit.category}`;
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
    mark.dataset.tip = tip(edit);
    mark.setAttribute("aria-label", `${edit.replacement}, was ${edit.original} (${edit.rule}, ${edit.category})`);
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
    ["code", e.original], [null, " → "], ["code", e.replacement], [null, " "],
    ["span", e.category, `cat-${e.category}`], [null, " "], ["span", e.rule, "rule"],
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

$("normalize").addEventListener("click", normalize);
$("profile").addEventListener("change", showDescription);
$("source").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) normalize();
});
loadProfiles().catch((error) => { $("status").textContent = `profiles: ${error}`; });

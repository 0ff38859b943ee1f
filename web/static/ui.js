// Small DOM helpers: build elements, format money and time, show problems in words.
import { t, lang } from "./i18n.js";

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function mount(container, ...children) {
  container.replaceChildren();
  append(container, children);
  return container;
}

export function money(cents) {
  if (cents === null || cents === undefined) return "—";
  return "¥" + (cents / 100).toFixed(2);
}

export function when(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  return date.toLocaleString(lang() === "zh" ? "zh-CN" : "en-GB",
                             { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

// "2 d 3 h" until a moment, or null when it has passed.
export function remaining(iso) {
  const ms = new Date(iso).getTime() - Date.now();
  if (!(ms > 0)) return null;
  const minutes = Math.ceil(ms / 60000);
  const d = Math.floor(minutes / 1440), hr = Math.floor((minutes % 1440) / 60), m = minutes % 60;
  return [d ? `${d}${t("unit.d")}` : "", hr ? `${hr}${t("unit.h")}` : "", !d && m ? `${m}${t("unit.m")}` : ""]
    .filter(Boolean).join(" ") || `1${t("unit.m")}`;
}

// A product image, or a drawn placeholder when it has none or it does not load.
export function picture(url, name, cls = "pic") {
  const fallback = () => {
    const box = h("div", { class: cls + " pic-fallback", "aria-hidden": "true" }, (name || "?").slice(0, 1));
    return box;
  };
  if (!url) return fallback();
  const img = h("img", { class: cls, src: url, alt: name || "", loading: "lazy" });
  img.addEventListener("error", () => img.replaceWith(fallback()), { once: true });
  return img;
}

// A problem+json answer in words a person understands: what it means, what the API said,
// and each field's message on a 422.
export function problemBox(problem) {
  const status = problem.status || 0;
  const headline = t(`problem.${status}`, {}, t("problem.other"));
  const fields = problem.errors
    ? h("ul", { class: "field-errors" }, Object.entries(flatten(problem.errors)).map(
        ([field, messages]) => h("li", {}, h("b", {}, t(`field.${field}`, {}, field)), ": ", messages.join("; "))))
    : null;
  const extra = [];
  if (problem.body && problem.body.locked_until) extra.push(t("problem.locked_until", { when: when(problem.body.locked_until) }));
  if (problem.retryAfter) extra.push(t("problem.retry", { s: problem.retryAfter }));
  return h("div", { class: "problem", role: "alert", "data-test": "problem", "data-status": String(status) },
    h("strong", {}, headline),
    problem.detail ? h("div", { class: "detail" }, problem.detail) : null,
    fields, extra.map((line) => h("div", { class: "muted" }, line)));
}

function flatten(errors, prefix = "") {
  const out = {};
  for (const [key, value] of Object.entries(errors)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) out[name] = value;
    else if (value && typeof value === "object") Object.assign(out, flatten(value, name));
    else out[name] = [String(value)];
  }
  return out;
}

export function showProblem(container, problem) {
  if (!(problem && "status" in problem)) { console.error(problem); problem = { status: -1, detail: String(problem) }; }
  container.replaceChildren(problemBox(problem));
}

let toastTimer;
export function toast(message) {
  const box = document.getElementById("toast");
  box.textContent = message;
  box.classList.add("show");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => box.classList.remove("show"), 2600);
}

// Run an action from a button: disable it meanwhile, show its problem beside it.
export function action(button, errorBox, run) {
  return async (event) => {
    if (event) event.preventDefault();
    button.disabled = true;
    errorBox.replaceChildren();
    try { await run(); } catch (problem) { showProblem(errorBox, problem); } finally { button.disabled = false; }
  };
}

export function formValues(form) {
  const values = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === "checkbox") values[el.name] = el.checked;
    else values[el.name] = el.value;
  }
  return values;
}

export function field(label, input) {
  return h("label", { class: "field" }, h("span", {}, label), input);
}

export function statusBadge(status) {
  return h("span", { class: `badge st-${status}`, "data-test": "order-status" }, t(`status.${status}`, {}, status));
}

export function empty(text) { return h("p", { class: "muted empty" }, text); }

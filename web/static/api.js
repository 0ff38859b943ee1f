// The public API, and nothing else: every call goes to the gateway's /api/... routes.
// Errors come back as problem+json (CONTRACT.md "Conventions"); they are thrown as
// Problem so a page can show them in words (ui.js showProblem).

const TOKEN = "gwh.token";
const VISITOR = "gwh.visitor";

export class Problem extends Error {
  constructor(status, body, retryAfter) {
    super((body && (body.detail || body.title)) || `HTTP ${status}`);
    this.status = status;
    this.title = body && body.title;
    this.detail = body && body.detail;
    this.errors = (body && body.errors) || null;
    this.body = body || {};
    this.retryAfter = retryAfter;
  }
}

export function token() { return localStorage.getItem(TOKEN); }
export function setToken(value) {
  if (value) localStorage.setItem(TOKEN, value); else localStorage.removeItem(TOKEN);
}

function randomKey(length = 24) {
  // crypto.randomUUID needs a secure context; getRandomValues works on any http address.
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

// The anonymous visitor's key (8-64 letters, digits, '_' or '-'), kept by this browser.
export function visitorKey() {
  let key = localStorage.getItem(VISITOR);
  if (!key) { key = "web-" + randomKey(20); localStorage.setItem(VISITOR, key); }
  return key;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function retryAfterSeconds(response) {
  const value = Number(response.headers.get("Retry-After"));
  return Number.isFinite(value) && value >= 0 ? Math.min(value, 10) : null;
}

export async function call(method, path, body, headers = {}) {
  const init = { method, headers: { Accept: "application/json, application/problem+json", ...headers } };
  const bearer = token();
  if (bearer) init.headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw new Problem(0, { title: "Network", detail: String(error.message || error) });
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = { detail: text.slice(0, 200) }; }
  }
  if (!response.ok) {
    if (response.status === 401 && bearer) setToken(null); // expired or revoked: sign in again
    throw new Problem(response.status, data, retryAfterSeconds(response));
  }
  return { status: response.status, data, location: response.headers.get("Location"),
           retryAfter: retryAfterSeconds(response) };
}

export const get = async (path) => (await call("GET", path)).data;
export const post = async (path, body) => (await call("POST", path, body === undefined ? {} : body)).data;
export const put = async (path, body) => (await call("PUT", path, body)).data;
export const patch = async (path, body) => (await call("PATCH", path, body)).data;
export const del = async (path) => (await call("DELETE", path)).data;

export function query(params) {
  const parts = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== "");
  return parts.length ? "?" + new URLSearchParams(parts).toString() : "";
}

// --- orders: the saga's states as they move ------------------------------------------
// POST /api/orders answers 201 with the order once its owners answered, or 202 `pending`
// with Location and Retry-After; a pending order is polled, never shown as an error.
export async function placeOrder(items, shopId, onUpdate) {
  const body = { items };
  if (shopId) body.shop_id = shopId;
  const reply = await call("POST", "/api/orders", body, { "Idempotency-Key": "web-" + randomKey(24) });
  onUpdate && onUpdate(reply.data);
  return followOrder(reply.data, onUpdate, reply.retryAfter, reply.location);
}

export async function followOrder(order, onUpdate, retryAfter = null, location = null, maxPolls = 60) {
  let current = order;
  for (let i = 0; current.status === "pending" && i < maxPolls; i++) {
    await sleep(1000 * (retryAfter ?? 0.4));
    const reply = await call("GET", location || `/api/orders/${encodeURIComponent(current.id)}`);
    current = reply.data;
    retryAfter = reply.retryAfter;
    onUpdate && onUpdate(current);
  }
  return current;
}

// Pay or cancel: an order still pending answers 409 with Retry-After; wait and try again.
export async function orderAction(orderId, action, body, tries = 10) {
  for (let i = 0; ; i++) {
    try {
      return await post(`/api/orders/${encodeURIComponent(orderId)}/${action}`, body);
    } catch (problem) {
      if (problem.status === 409 && problem.retryAfter !== null && problem.retryAfter !== undefined && i < tries) {
        await sleep(1000 * Math.max(problem.retryAfter, 0.3));
        continue;
      }
      throw problem;
    }
  }
}

// Product names for ids (orders and analytics carry ids): the catalog answers, cached.
const products = new Map();
export async function product(id) {
  if (!products.has(id)) {
    products.set(id, get(`/api/catalog/products/${encodeURIComponent(id)}`).catch(() => null));
  }
  return products.get(id);
}

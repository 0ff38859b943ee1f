// The single page: a router over the hash (#/community, #/shop, ...) plus the shared shop
// link /s/<member_id>, a header with the language switch, and the tab bar.
import { h, mount, showProblem } from "./ui.js";
import { t, lang, setLang } from "./i18n.js";
import { loadMe, current, hasRole } from "./session.js";
import { icon } from "./icons.js";

const PAGES = {
  community: () => import("./pages/community.js"),
  shop: () => import("./pages/myshop.js"),
  dashboard: () => import("./pages/dashboard.js"),
  orders: () => import("./pages/orders.js"),
  me: () => import("./pages/account.js"),
  friends: () => import("./pages/friends.js"),
  privacy: () => import("./pages/privacy.js"),
  merchant: () => import("./pages/merchant.js"),
  admin: () => import("./pages/admin.js"),
  login: () => import("./pages/login.js"),
  visit: () => import("./pages/shop.js"),
};
// Pages that need a signed-in member send a visitor to the login page first.
const PUBLIC = new Set(["community", "login", "visit"]);
const TABS = ["community", "shop", "dashboard", "orders", "me"];

export function go(hash) {
  if (location.pathname !== "/") location.assign("/" + hash);
  else if (location.hash === hash) route();
  else location.hash = hash;
}

function where() {
  const shop = location.pathname.match(/^\/s\/([^/]+)\/?$/);
  if (shop) return { page: "visit", params: [decodeURIComponent(shop[1])] };
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  const page = PAGES[parts[0]] ? parts[0] : "community";
  return { page, params: parts.slice(1) };
}

function header(page) {
  const me = current();
  mount(document.getElementById("top"),
    h("a", { class: "brand", href: "/#/community" }, h("img", { src: "/static/img/logo.svg", alt: "" }),
      h("span", {}, t("app.name"))),
    h("div", { class: "top-actions" },
      h("button", { class: "link lang", type: "button", "data-test": "lang",
                    onclick: () => { setLang(lang() === "zh" ? "en" : "zh"); route(); } }, t("app.other_lang")),
      me ? h("a", { class: "who", href: "/#/me", "data-test": "who" }, me.nickname)
         : page !== "login" ? h("a", { class: "button small", href: "/#/login", "data-test": "login-link" }, t("login.title")) : null));
  // Phone: five tabs at the bottom (the rest is under "me"); desktop: every page in the side menu.
  const extra = ["friends", "privacy"];
  if (hasRole("merchant") || hasRole("admin")) extra.push("merchant");
  if (hasRole("admin")) extra.push("admin");
  mount(document.getElementById("tabs"), [...TABS, ...extra].map((name) =>
    h("a", { href: `/#/${name}`, class: `tab ${name === page ? "on" : ""} ${TABS.includes(name) ? "" : "desk-only"}`,
             "data-test": `tab-${name}` }, icon(name), h("span", {}, t(`nav.${name}`)))));
}

let generation = 0;
export async function route() {
  const mine = ++generation;
  const { page, params } = where();
  document.documentElement.lang = lang() === "zh" ? "zh-CN" : "en";
  const main = document.getElementById("main");
  delete main.dataset.ready;  // set again once this page has rendered (the browser tests wait for it)
  try {
    await loadMe();
    header(page);
    if (!current() && !PUBLIC.has(page)) {
      const back = location.pathname === "/" ? location.hash : location.pathname;
      go(`#/login/${encodeURIComponent(back || "#/community")}`);
      return;
    }
    const module = await PAGES[page]();
    if (mine !== generation) return;
    main.dataset.page = page;
    main.replaceChildren();
    await module.render(main, { params, go, refresh: route, isCurrent: () => mine === generation });
  } catch (problem) {
    if (mine === generation) showProblem(main, problem);
  }
  if (mine === generation) main.dataset.ready = "1";
  document.title = `${t(`nav.${page}`, {}, t("app.name"))} · ${t("app.name")}`;
}

window.addEventListener("hashchange", route);
window.addEventListener("popstate", route);
route();

// A member's shop page, /s/<member_id>: the link a member shares. Profile, featured
// products with list, exclusive and 30-day lowest price, and "buy" through this shop.
import * as api from "../api.js";
import { t } from "../i18n.js";
import { current } from "../session.js";
import { h, money, mount, picture } from "../ui.js";
import { orderPanel } from "./orderpanel.js";

export async function render(main, { params, go }) {
  const shopId = params[0];
  const me = current();
  const shop = await api.get(`/api/shops/${encodeURIComponent(shopId)}`);
  // Count the visit (the token names the visitor; otherwise this browser's anonymous key).
  api.post(`/api/shops/${encodeURIComponent(shopId)}/visits`, me ? {} : { visitor_key: api.visitorKey() }).catch(() => {});
  let influence = null;
  try { influence = await api.get(`/api/ranking/members/${encodeURIComponent(shopId)}`); } catch { /* unknown to the ranking yet */ }

  const own = me && me.member_id === shopId;
  const banner = h("div", { class: "banner" }, shop.banner_url ? picture(shop.banner_url, "", "banner-img") : null);
  const stats = influence && influence.stats
    ? h("div", { class: "shop-stats", "data-test": "shop-stats" },
        h("div", {}, h("b", {}, money(influence.stats.sales_cents_30d)), h("span", {}, t("shop.sales_30d"))),
        h("div", {}, h("b", {}, influence.stats.visitors_30d), h("span", {}, t("shop.visitors_30d"))),
        h("div", {}, h("b", {}, influence.score), h("span", {}, t("shop.influence"))))
    : h("div", { class: "shop-stats" }, h("div", {}, h("b", {}, shop.influence.score), h("span", {}, t("shop.influence"))),
        h("div", {}, h("b", {}, `T${shop.influence.tier}`), h("span", {}, t("shop.tier"))));
  const list = h("div", { class: "products", "data-test": "shop-products" });
  const panel = h("div", { class: "order-box" });
  mount(main,
    h("section", { class: "shop-head" }, banner,
      h("div", { class: "profile" }, picture(shop.avatar_url, shop.nickname, "avatar big"),
        h("div", {}, h("h1", { "data-test": "shop-name" }, t("shop.title", { name: shop.nickname })),
          shop.bio ? h("p", { class: "bio" }, shop.bio) : null,
          h("p", { class: "muted small" }, t("shop.slots", { n: shop.featured.length, slots: shop.slots })))),
      stats,
      own ? h("a", { class: "button small", href: "/#/shop" }, t("shop.manage")) : null),
    panel, list);

  if (!shop.featured.length) list.append(h("p", { class: "muted empty" }, t("shop.nothing_featured")));
  for (const item of shop.featured) {
    const buy = h("button", { class: "button buy", type: "button", "data-test": "buy", "data-product": item.product_id }, t("shop.buy"));
    buy.addEventListener("click", async () => {
      if (!current()) { go(`#/login/${encodeURIComponent(location.pathname)}`); return; }
      buy.disabled = true;
      try { await orderPanel(panel, [{ product_id: item.product_id, quantity: 1 }], shopId, item.name); }
      finally { buy.disabled = false; }
    });
    const saving = item.list_price_cents - item.exclusive_price_cents;
    list.append(h("article", { class: "product", "data-test": "shop-product", "data-product": item.product_id },
      picture(item.image_url, item.name),
      h("div", { class: "product-body" },
        h("h3", {}, item.name),
        h("div", { class: "prices" },
          h("span", { class: "exclusive", "data-test": "exclusive-price" }, t("shop.exclusive", { name: shop.nickname }), " ", h("b", {}, money(item.exclusive_price_cents))),
          h("s", { class: "list muted" }, money(item.list_price_cents))),
        h("div", { class: "muted small" },
          t("shop.lowest_30d", { price: money(item.lowest_price_30d_cents ?? item.exclusive_price_cents) }),
          saving > 0 ? " · " + t("shop.saving", { price: money(saving) }) : ""),
        own ? h("span", { class: "muted small" }, t("shop.own_no_commission")) : buy)));
  }
}

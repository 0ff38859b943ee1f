// Merchant console: the brand's products; create, change price and stock, delist, relist.
// A merchant works on their own brand; an admin picks any brand.
import * as api from "../api.js";
import { t, categoryName, CATEGORIES } from "../i18n.js";
import { current, hasRole } from "../session.js";
import { action, field, h, money, mount, picture, showProblem, toast, empty } from "../ui.js";

const yuan = (cents) => (cents / 100).toFixed(2);
const cents = (text) => Math.round(Number(text) * 100);

export async function render(main) {
  const me = current();
  const brands = hasRole("admin") ? (await api.get("/api/catalog/brands?per_page=100")).items : [];
  let brandId = me.brand_id || (brands[0] && brands[0].id);
  let status = "listed", q = "", page = 1;
  const listBox = h("div", { "data-test": "merchant-products" });
  const createBox = h("section", { class: "card" });
  const brandPick = hasRole("admin") ? h("select", { "data-test": "brand-pick", onchange: (e) => { brandId = e.target.value; page = 1; load(); } },
    brands.map((b) => h("option", { value: b.id, selected: b.id === brandId }, b.name))) : null;
  const seg = h("div", { class: "seg" });
  const drawSeg = () => mount(seg, ["listed", "delisted"].map((s) => h("button", { type: "button", class: s === status ? "on" : "", "data-test": `status-${s}`,
    onclick: () => { status = s; page = 1; drawSeg(); load(); } }, t(`merchant.${s}`))));
  drawSeg();
  const search = h("input", { type: "search", placeholder: t("myshop.search") });
  let timer;
  search.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => { q = search.value.trim(); page = 1; load(); }, 250); });
  const more = h("div", {});
  mount(main, h("h1", {}, t("merchant.title")), brandPick ? field(t("merchant.brand"), brandPick) : null, createBox,
    h("section", { class: "card" }, h("h2", {}, t("merchant.products")), seg, search, listBox, more));

  if (!brandId) { mount(listBox, empty(t("merchant.no_brand"))); return; }

  const row = (p) => {
    const err = h("div", {});
    const price = h("input", { type: "number", step: "0.01", min: "0.01", value: yuan(p.exclusive_price_cents), "data-test": "edit-exclusive", "aria-label": t("field.exclusive_price_cents") });
    const list = h("input", { type: "number", step: "0.01", min: "0.01", value: yuan(p.list_price_cents), "data-test": "edit-list", "aria-label": t("field.list_price_cents") });
    const stock = h("input", { type: "number", step: "1", min: "0", value: p.stock, "data-test": "edit-stock", "aria-label": t("field.stock") });
    const save = h("button", { class: "button small", type: "button", "data-test": "save-product" }, t("common.save"));
    save.onclick = action(save, err, async () => {
      await api.patch(`/api/catalog/products/${encodeURIComponent(p.id)}`, { list_price_cents: cents(list.value), exclusive_price_cents: cents(price.value), stock: Number(stock.value) });
      toast(t("common.saved")); await load();
    });
    const reason = h("input", { type: "text", placeholder: t("merchant.reason"), maxlength: 300, "data-test": "delist-reason" });
    const toggle = h("button", { class: "button small ghost", type: "button", "data-test": p.status === "listed" ? "delist" : "relist" },
      t(p.status === "listed" ? "merchant.delist" : "merchant.relist"));
    toggle.onclick = action(toggle, err, async () => {
      if (p.status === "listed") await api.post(`/api/catalog/products/${encodeURIComponent(p.id)}/delist`, { reason: reason.value });
      else await api.post(`/api/catalog/products/${encodeURIComponent(p.id)}/relist`);
      toast(t(p.status === "listed" ? "merchant.delisted_done" : "merchant.relisted_done")); await load();
    });
    return h("article", { class: "merchant-row", "data-test": "merchant-product", "data-product": p.id, "data-name": p.name },
      picture(p.image_url, p.name, "pic small"),
      h("div", { class: "grow" }, h("b", {}, p.name, p.sensitive ? h("span", { class: "badge" }, t("merchant.sensitive")) : null),
        h("div", { class: "muted small" }, p.sku, " · ", categoryName(p.category), " · ", t("myshop.commission", { rate: (p.commission_rate_bp / 100).toFixed(1) }),
          " · ", t("shop.lowest_30d", { price: money(p.lowest_price_30d_cents) }), p.delist_reason ? ` · ${p.delist_reason}` : ""),
        h("div", { class: "edit-row" }, field(t("field.list_price_cents"), list), field(t("field.exclusive_price_cents"), price), field(t("field.stock"), stock), save),
        h("div", { class: "edit-row" }, p.status === "listed" ? reason : null, toggle), err));
  };
  const load = async () => {
    try {
      const data = await api.get("/api/catalog/products" + api.query({ brand_id: brandId, status, q, page, per_page: 20 }));
      mount(listBox, data.items.length ? data.items.map(row) : empty(t("merchant.none")));
      const pages = Math.ceil(data.total / data.per_page);
      mount(more, pages > 1 ? h("div", { class: "pager" },
        h("button", { type: "button", class: "button small ghost", disabled: page <= 1, onclick: () => { page--; load(); } }, "‹"),
        h("span", { class: "muted small" }, `${page} / ${pages} · ${t("common.total", { n: data.total })}`),
        h("button", { type: "button", class: "button small ghost", disabled: page >= pages, onclick: () => { page++; load(); } }, "›")) : null);
    } catch (problem) { showProblem(listBox, problem); }
  };

  const err = h("div", {});
  const create = h("button", { class: "button", type: "submit", "data-test": "create-product" }, t("merchant.create"));
  const form = h("form", { class: "form grid2", "data-test": "product-form" },
    field(t("field.name"), h("input", { name: "name", required: true, maxlength: 120 })),
    field(t("field.sku"), h("input", { name: "sku", required: true, pattern: "[A-Za-z0-9][A-Za-z0-9._-]{0,63}" })),
    field(t("field.category"), h("select", { name: "category" }, CATEGORIES.map((c) => h("option", { value: c }, categoryName(c))))),
    field(t("field.image_url"), h("input", { name: "image_url", type: "url", placeholder: "https://" })),
    field(t("field.list_price_cents"), h("input", { name: "list", type: "number", step: "0.01", min: "0.01", required: true })),
    field(t("field.exclusive_price_cents"), h("input", { name: "exclusive", type: "number", step: "0.01", min: "0.01", required: true })),
    field(t("field.commission_rate_bp"), h("input", { name: "rate", type: "number", step: "0.1", min: "0", max: "50", value: "10" })),
    field(t("field.stock"), h("input", { name: "stock", type: "number", min: "0", step: "1", value: "100", required: true })),
    field(t("field.description"), h("textarea", { name: "description", rows: 2 })),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "sensitive" }), t("merchant.sensitive_hint")),
    create, err);
  form.addEventListener("submit", action(create, err, async () => {
    const v = form.elements;
    await api.post("/api/catalog/products", {
      brand_id: brandId, name: v.name.value, sku: v.sku.value, category: v.category.value, image_url: v.image_url.value || null,
      list_price_cents: cents(v.list.value), exclusive_price_cents: cents(v.exclusive.value),
      commission_rate_bp: Math.round(Number(v.rate.value) * 100), stock: Number(v.stock.value),
      description: v.description.value, sensitive: v.sensitive.checked });
    toast(t("merchant.created")); form.reset(); await load();
  }));
  mount(createBox, h("details", {}, h("summary", {}, t("merchant.create")), form));
  await load();
}

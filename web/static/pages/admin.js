// Admin: brands, merchant accounts, and withdrawals to approve or reject.
import * as api from "../api.js";
import { t } from "../i18n.js";
import { action, field, h, money, mount, showProblem, toast, when, empty } from "../ui.js";

export async function render(main) {
  const brandsBox = h("section", { class: "card" });
  const merchantBox = h("section", { class: "card" });
  const withdrawalsBox = h("section", { class: "card" });
  mount(main, h("h1", {}, t("admin.title")), withdrawalsBox, brandsBox, merchantBox);
  let brands = [];

  const loadBrands = async () => {
    try {
      brands = (await api.get("/api/catalog/brands?per_page=100")).items;
      const err = h("div", {});
      const add = h("button", { class: "button small", type: "submit", "data-test": "create-brand" }, t("admin.create_brand"));
      const form = h("form", { class: "form" }, field(t("field.name"), h("input", { name: "name", required: true, maxlength: 80 })),
        field(t("field.description"), h("input", { name: "description" })), add, err);
      form.addEventListener("submit", action(add, err, async () => {
        await api.post("/api/catalog/brands", { name: form.elements.name.value, description: form.elements.description.value });
        toast(t("admin.brand_created")); await loadBrands(); drawMerchantForm();
      }));
      mount(brandsBox, h("h2", {}, t("admin.brands", { n: brands.length })),
        h("ul", { class: "people" }, brands.map((b) => h("li", {}, h("b", {}, b.name), h("span", { class: "muted small" }, b.description)))),
        h("details", {}, h("summary", {}, t("admin.create_brand")), form));
    } catch (problem) { showProblem(brandsBox, problem); }
  };
  const drawMerchantForm = () => {
    const err = h("div", {});
    const add = h("button", { class: "button small", type: "submit", "data-test": "create-merchant" }, t("admin.create_merchant"));
    const form = h("form", { class: "form" },
      field(t("merchant.brand"), h("select", { name: "brand_id" }, brands.map((b) => h("option", { value: b.id }, b.name)))),
      field(t("field.username"), h("input", { name: "username", required: true, autocapitalize: "off" })),
      field(t("field.nickname"), h("input", { name: "nickname", required: true })),
      field(t("field.password"), h("input", { name: "password", type: "password", required: true, autocomplete: "new-password" })), add, err);
    form.addEventListener("submit", action(add, err, async () => {
      const v = form.elements;
      const account = await api.post("/api/auth/merchants", { brand_id: v.brand_id.value, username: v.username.value, nickname: v.nickname.value, password: v.password.value });
      toast(t("admin.merchant_created", { name: account.username })); form.reset();
    }));
    mount(merchantBox, h("h2", {}, t("admin.merchants")), h("p", { class: "muted small" }, t("admin.merchant_hint")), form);
  };
  const loadWithdrawals = async () => {
    try {
      const data = await api.get("/api/commissions/withdrawals?status=requested&per_page=50");
      mount(withdrawalsBox, h("h2", {}, t("admin.withdrawals", { n: data.total })), data.items.length
        ? h("ul", { class: "people" }, data.items.map((w) => {
            const err = h("div", {});
            const ok = h("button", { class: "button small", type: "button", "data-test": "approve" }, t("admin.approve"));
            const no = h("button", { class: "button small ghost", type: "button", "data-test": "reject" }, t("admin.reject"));
            ok.onclick = action(ok, err, async () => { await api.post(`/api/commissions/withdrawals/${encodeURIComponent(w.id)}/approve`); toast(t("admin.approved")); await loadWithdrawals(); });
            no.onclick = action(no, err, async () => {
              const reason = prompt(t("admin.reject_reason")); if (!reason) return;
              await api.post(`/api/commissions/withdrawals/${encodeURIComponent(w.id)}/reject`, { reason }); await loadWithdrawals();
            });
            return h("li", { "data-test": "withdrawal" }, h("b", {}, money(w.amount_cents)),
              h("a", { href: `/s/${encodeURIComponent(w.member_id)}` }, t("admin.shop_of", { id: w.member_id.slice(0, 6) })),
              h("span", { class: "muted small" }, when(w.requested_at)), h("span", { class: "actions" }, ok, no), err);
          }))
        : empty(t("admin.no_withdrawals")));
    } catch (problem) { showProblem(withdrawalsBox, problem); }
  };
  await loadBrands();
  drawMerchantForm();
  await loadWithdrawals();
}

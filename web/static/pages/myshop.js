// My shop: profile editing, the featured slots with their lock countdown, the picker
// ("all products" with search and categories, "I bought"), and delisting notices.
import * as api from "../api.js";
import { t, categoryName, CATEGORIES } from "../i18n.js";
import { current } from "../session.js";
import { action, field, formValues, h, money, mount, picture, remaining, showProblem, toast, when, empty } from "../ui.js";

// The lock countdowns tick while the page is open (every 20 s is enough for minutes).
let ticker = null;
function tick() {
  for (const el of document.querySelectorAll("[data-test=lock][data-until]")) {
    const left = remaining(el.dataset.until);
    el.textContent = left ? t("myshop.locked", { left }) : t("myshop.unlocked");
    const button = el.closest("[data-test=slot]")?.querySelector("[data-test=unfeature]");
    if (button && !left) button.disabled = false;
  }
}

export async function render(main, { refresh, isCurrent }) {
  clearInterval(ticker);
  ticker = setInterval(() => (isCurrent() ? tick() : clearInterval(ticker)), 20000);
  const me = current();
  const slotsBox = h("section", { class: "card", "data-test": "slots" });
  const pickerBox = h("section", { class: "card", "data-test": "picker" });
  const noticeBox = h("section", { class: "card" });
  const profileBox = h("section", { class: "card" });
  mount(main, h("div", { class: "page-head" }, h("h1", {}, t("myshop.title")),
      h("a", { class: "button small ghost", href: `/s/${encodeURIComponent(me.member_id)}`, "data-test": "open-shop" }, t("myshop.open"))),
    h("p", { class: "muted small share" }, t("myshop.share"), " ", h("code", { "data-test": "share-link" }, `${location.origin}/s/${me.member_id}`)),
    slotsBox, pickerBox, noticeBox, profileBox);

  const loadSlots = async () => {
    try {
      const shop = await api.get(`/api/shops/${encodeURIComponent(me.member_id)}`);
      const free = Math.max(shop.slots - shop.featured.length, 0);
      mount(slotsBox, h("h2", {}, t("myshop.slots", { n: shop.featured.length, slots: shop.slots })),
        h("div", { class: "slots" },
          shop.featured.map((item) => {
            const left = remaining(item.locked_until);
            const err = h("div", {});
            const remove = h("button", { class: "button small ghost", type: "button", disabled: !!left, "data-test": "unfeature" }, t("myshop.remove"));
            remove.onclick = action(remove, err, async () => {
              await api.del(`/api/shops/me/featured/${encodeURIComponent(item.product_id)}`);
              toast(t("myshop.removed"));
              await loadSlots(); await loadPicker();
            });
            return h("div", { class: "slot", "data-test": "slot", "data-product": item.product_id },
              picture(item.image_url, item.name, "pic small"),
              h("div", {}, h("b", {}, item.name), h("div", { class: "small" }, money(item.exclusive_price_cents), " ", h("s", { class: "muted" }, money(item.list_price_cents))),
                h("div", { class: "muted small", "data-test": "lock", "data-until": item.locked_until }, left ? t("myshop.locked", { left }) : t("myshop.unlocked"))),
              remove, err);
          }),
          Array.from({ length: free }, () => h("div", { class: "slot free" }, t("myshop.free_slot")))));
    } catch (problem) { showProblem(slotsBox, problem); }
  };

  // The picker
  let source = "all", category = "", q = "", page = 1;
  const results = h("div", { class: "picker-list" });
  const search = h("input", { type: "search", placeholder: t("myshop.search"), "data-test": "picker-search", value: "" });
  const tabs = h("div", { class: "seg" });
  const chips = h("div", { class: "chips" });
  const more = h("div", {});
  const drawTabs = () => mount(tabs, ["all", "purchased"].map((s) =>
    h("button", { type: "button", class: s === source ? "on" : "", "data-test": `source-${s}`,
                  onclick: () => { source = s; page = 1; drawTabs(); loadPicker(); } }, t(`myshop.source_${s}`))));
  const drawChips = () => mount(chips, ["", ...CATEGORIES].map((c) =>
    h("button", { type: "button", class: `chip ${c === category ? "on" : ""}`,
                  onclick: () => { category = c; page = 1; drawChips(); loadPicker(); } }, c ? categoryName(c) : t("myshop.all_categories"))));
  let timer;
  search.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => { q = search.value.trim(); page = 1; loadPicker(); }, 250); });
  const loadPicker = async () => {
    try {
      const data = await api.get("/api/shops/me/candidates" + api.query({ source, q, category, page, per_page: 20 }));
      mount(results, data.items.length ? data.items.map((item) => {
        const err = h("div", {});
        const add = h("button", { class: "button small", type: "button", disabled: item.featured, "data-test": "feature", "data-product": item.product_id },
          item.featured ? t("myshop.featured") : t("myshop.feature"));
        add.onclick = action(add, err, async () => {
          await api.post("/api/shops/me/featured", { product_id: item.product_id });
          toast(t("myshop.added", { name: item.name }));
          await loadSlots(); await loadPicker();
        });
        return h("div", { class: "pick", "data-test": "candidate", "data-name": item.name },
          picture(item.image_url, item.name, "pic small"),
          h("div", { class: "grow" }, h("b", {}, item.name),
            h("div", { class: "small" }, money(item.exclusive_price_cents), " ", h("s", { class: "muted" }, money(item.list_price_cents)),
              " · ", t("myshop.commission", { rate: (item.commission_rate_bp / 100).toFixed(1) })),
            h("div", { class: "muted small" }, categoryName(item.category), " · ", t("shop.lowest_30d", { price: money(item.lowest_price_30d_cents ?? item.exclusive_price_cents) }))),
          add, err);
      }) : empty(source === "purchased" ? t("myshop.none_bought") : t("myshop.none_found")));
      const pages = Math.ceil(data.total / data.per_page);
      mount(more, pages > 1 ? h("div", { class: "pager" },
        h("button", { type: "button", class: "button small ghost", disabled: page <= 1, onclick: () => { page--; loadPicker(); } }, "‹"),
        h("span", { class: "muted small" }, `${page} / ${pages} · ${t("common.total", { n: data.total })}`),
        h("button", { type: "button", class: "button small ghost", disabled: page >= pages, onclick: () => { page++; loadPicker(); } }, "›")) : null);
    } catch (problem) { showProblem(results, problem); }
  };
  drawTabs(); drawChips();
  mount(pickerBox, h("h2", {}, t("myshop.picker")), tabs, search, chips, results, more);

  const loadNotices = async () => {
    try {
      const notes = await api.get("/api/members/me/notifications?per_page=10");
      mount(noticeBox, h("h2", {}, t("myshop.notices")), notes.items.length
        ? h("ul", { class: "notices", "data-test": "notices" }, notes.items.map((n) =>
            h("li", {}, h("span", { class: "badge" }, t(`notice.${n.type}`, {}, n.type)), " ", n.message, h("span", { class: "muted small" }, " · ", when(n.at)))))
        : empty(t("myshop.no_notices")));
    } catch (problem) { showProblem(noticeBox, problem); }
  };

  // Profile: nickname, avatar, banner, bio (the article's "not editable" is fixed here).
  const profileForm = h("form", { class: "form", "data-test": "profile-form" },
    field(t("field.nickname"), h("input", { name: "nickname", value: me.nickname, required: true, maxlength: 40 })),
    field(t("field.avatar_url"), h("input", { name: "avatar_url", value: me.avatar_url || "", type: "url", placeholder: "https://" })),
    field(t("field.banner_url"), h("input", { name: "banner_url", value: me.banner_url || "", type: "url", placeholder: "https://" })),
    field(t("field.bio"), h("textarea", { name: "bio", rows: 3 }, me.bio || "")));
  const save = h("button", { class: "button", type: "submit" }, t("common.save"));
  const profileErr = h("div", {});
  profileForm.append(save, profileErr);
  profileForm.addEventListener("submit", action(save, profileErr, async () => {
    const v = formValues(profileForm);
    await api.patch("/api/members/me", { nickname: v.nickname, avatar_url: v.avatar_url || null,
                                         banner_url: v.banner_url || null, bio: v.bio || null });
    toast(t("common.saved"));
    await refresh();
  }));
  mount(profileBox, h("h2", {}, t("myshop.profile")), profileForm);

  await Promise.all([loadSlots(), loadPicker(), loadNotices()]);
}

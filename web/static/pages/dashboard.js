// My dashboard: visits, unique visitors, who visited (as privacy allows), per product
// views / orders / sales, commission pending / settled / reversed, withdrawals, and my
// influence breakdown with what the next tier needs.
import * as api from "../api.js";
import { t } from "../i18n.js";
import { current } from "../session.js";
import { action, h, money, mount, showProblem, toast, when, empty } from "../ui.js";

const tile = (value, label, test) => h("div", { class: "tile", "data-test": test }, h("b", {}, value), h("span", {}, label));

export async function render(main) {
  const me = current();
  const traffic = h("section", { class: "card" });
  const products = h("section", { class: "card" });
  const money_ = h("section", { class: "card" });
  const influence = h("section", { class: "card" });
  mount(main, h("h1", {}, t("dashboard.title")), traffic, money_, products, influence);

  const loadAnalytics = async () => {
    try {
      const a = await api.get("/api/shops/me/analytics");
      mount(traffic, h("h2", {}, t("dashboard.traffic")),
        h("div", { class: "tiles" },
          tile(a.visits, t("dashboard.visits"), "visits"), tile(a.unique_visitors, t("dashboard.unique"), "unique"),
          tile(a.orders, t("dashboard.orders"), "orders"), tile(money(a.sales_cents), t("dashboard.sales"), "sales")),
        a.anonymous_visits !== undefined ? h("p", { class: "muted small" }, t("dashboard.anonymous", { n: a.anonymous_visits })) : null,
        h("h3", {}, t("dashboard.recent")),
        a.recent_visitors.length
          ? h("ul", { class: "visitors", "data-test": "recent-visitors" }, a.recent_visitors.slice(0, 12).map((v) => h("li", {}, h("a", { href: `/s/${encodeURIComponent(v.member_id)}` }, v.nickname), h("span", { class: "muted small" }, when(v.at)))))
          : empty(t("dashboard.no_visitors")),
        h("p", { class: "muted small" }, t("dashboard.privacy_note")));
      const rows = await Promise.all(a.products.map(async (p) => ({ ...p, name: p.name || (await api.product(p.product_id) || {}).name || p.product_id })));
      mount(products, h("h2", {}, t("dashboard.per_product")), rows.length
        ? h("div", { class: "table-wrap" }, h("table", { "data-test": "product-figures" },
            h("thead", {}, h("tr", {}, [t("dashboard.product"), t("dashboard.views"), t("dashboard.orders"), t("dashboard.units"), t("dashboard.sales")].map((c) => h("th", {}, c)))),
            h("tbody", {}, rows.map((p) => h("tr", { "data-product": p.product_id }, h("td", {}, p.name), h("td", {}, p.views),
              h("td", {}, p.orders ?? "—"), h("td", {}, p.units ?? "—"), h("td", {}, p.sales_cents === undefined || p.sales_cents === null ? "—" : money(p.sales_cents)))))))
        : empty(t("dashboard.no_products")),
        h("p", { class: "muted small" }, t("dashboard.sensitive_note")));
    } catch (problem) { showProblem(traffic, problem); }
  };

  const loadMoney = async () => {
    try {
      const c = await api.get("/api/commissions/me?per_page=20");
      const withdrawals = await api.get("/api/commissions/me/withdrawals");
      const amount = h("input", { type: "number", min: "1", step: "0.01", name: "amount", placeholder: "¥", "data-test": "withdraw-amount" });
      const ask = h("button", { class: "button small", type: "submit" }, t("dashboard.withdraw"));
      const err = h("div", {});
      const form = h("form", { class: "row" }, amount, ask);
      form.addEventListener("submit", action(ask, err, async () => {
        await api.post("/api/commissions/me/withdrawals", { amount_cents: Math.round(Number(amount.value) * 100) });
        toast(t("dashboard.withdraw_asked"));
        await loadMoney();
      }));
      mount(money_, h("h2", {}, t("dashboard.commission")),
        h("div", { class: "tiles", "data-test": "commission" },
          tile(money(c.pending_cents), t("dashboard.pending"), "commission-pending"),
          tile(money(c.settled_cents), t("dashboard.settled"), "commission-settled"),
          tile(money(c.reversed_cents), t("dashboard.reversed"), "commission-reversed"),
          tile(money(c.available_cents), t("dashboard.available"), "commission-available")),
        h("p", { class: "muted small" }, t("dashboard.commission_rule")),
        c.items.length ? h("ul", { class: "ledger" }, c.items.map((e) => h("li", {},
          h("span", { class: `badge st-${e.status}` }, t(`ledger.${e.status}`, {}, e.status)), " ", e.kind === "clawback" ? t("ledger.clawback") + " " : "", money(e.amount_cents),
          h("span", { class: "muted small" }, " · ", when(e.booked_at), e.settles_at && e.status === "pending" ? " · " + t("ledger.settles", { when: when(e.settles_at) }) : "")))) : empty(t("dashboard.no_commission")),
        h("h3", {}, t("dashboard.withdrawals")), form, err,
        withdrawals.length ? h("ul", { class: "ledger" }, withdrawals.map((w) => h("li", {},
          h("span", { class: `badge st-${w.status}` }, t(`withdrawal.${w.status}`, {}, w.status)), " ", money(w.amount_cents),
          h("span", { class: "muted small" }, " · ", when(w.requested_at), w.rejection_reason ? ` · ${w.rejection_reason}` : "")))) : empty(t("dashboard.no_withdrawals")));
    } catch (problem) { showProblem(money_, problem); }
  };

  const loadInfluence = async () => {
    try {
      const inf = await api.get(`/api/ranking/members/${encodeURIComponent(me.member_id)}`);
      const b = inf.breakdown;
      mount(influence, h("h2", {}, t("dashboard.influence")),
        h("div", { class: "tiles" }, tile(inf.score, t("dashboard.score"), "score"), tile(`T${inf.tier}`, t("dashboard.tier")),
          tile(inf.slots, t("dashboard.slots")), tile(inf.rank ? `#${inf.rank}` : "—", t("dashboard.rank"))),
        b ? h("table", { class: "breakdown", "data-test": "breakdown" }, h("tbody", {},
          h("tr", {}, h("td", {}, t("dashboard.b_sales")), h("td", {}, money(b.sales_cents)), h("td", {}, `+${b.sales_points}`)),
          h("tr", {}, h("td", {}, t("dashboard.b_visitors")), h("td", {}, b.unique_visitors), h("td", {}, `+${b.visitor_points}`)),
          h("tr", {}, h("td", {}, t("dashboard.b_buyers")), h("td", {}, b.distinct_buyers), h("td", {}, `+${b.buyer_points}`)),
          h("tr", {}, h("td", {}, t("dashboard.b_days")), h("td", {}, b.active_days), h("td", {}, `+${b.activity_points}`)),
          h("tr", { class: "sum" }, h("td", {}, t("dashboard.score")), h("td", {}), h("td", {}, b.score)))) : null,
        inf.next_tier
          ? h("p", { "data-test": "next-tier" }, t("dashboard.next_tier", { tier: inf.next_tier.tier, slots: inf.next_tier.slots, missing: inf.next_tier.points_missing, needed: inf.next_tier.score_needed }))
          : h("p", {}, t("dashboard.top_tier")),
        h("p", { class: "muted small" }, t("community.formula")));
    } catch (problem) {
      if (problem.status === 404) mount(influence, h("h2", {}, t("dashboard.influence")), empty(t("dashboard.no_influence")));
      else showProblem(influence, problem);
    }
  };
  await Promise.all([loadAnalytics(), loadMoney(), loadInfluence()]);
}

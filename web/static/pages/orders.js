// My orders: each order's state as it moves through the saga, with pay, cancel and refund.
import * as api from "../api.js";
import { t } from "../i18n.js";
import { h, money, mount, showProblem, statusBadge, when, empty } from "../ui.js";

export async function render(main) {
  const list = h("div", { "data-test": "orders" });
  const more = h("div", {});
  mount(main, h("h1", {}, t("orders.title")), list, more);
  let page = 1;

  const card = (order) => {
    const box = h("article", { class: "card order", "data-test": "order", "data-order": order.id, "data-status": order.status });
    draw(box, order);
    if (order.status === "pending") follow(box, order);
    return box;
  };
  const follow = async (box, order) => {
    try { draw(box, await api.followOrder(order, (o) => draw(box, o))); } catch (problem) { showProblem(box, problem); }
  };
  const draw = async (box, order) => {
    box.dataset.status = order.status;
    const errors = h("div", {});
    const buttons = [];
    const act = (name, label, body, cls = "button small") => {
      const b = h("button", { class: cls, type: "button", "data-test": name }, label);
      b.onclick = async () => {
        b.disabled = true; errors.replaceChildren();
        try { draw(box, await api.orderAction(order.id, name, body)); } catch (problem) { showProblem(errors, problem); b.disabled = false; }
      };
      buttons.push(b);
    };
    if (order.status === "awaiting_payment") { act("pay", t("orders.pay"), { method: "simulated" }); act("cancel", t("orders.cancel"), undefined, "button small ghost"); }
    if (order.status === "paid" && (!order.refundable_until || new Date(order.refundable_until) > new Date())) act("refund", t("orders.refund"), undefined, "button small ghost");
    const lines = await Promise.all(order.items.map(async (line) => {
      const p = await api.product(line.product_id);
      return h("li", {}, (p && p.name) || line.product_id, ` × ${line.quantity}`,
        line.unit_price_cents !== undefined && line.unit_price_cents !== null ? h("span", { class: "muted small" }, " @ ", money(line.unit_price_cents)) : null);
    }));
    mount(box,
      h("div", { class: "row spread" }, statusBadge(order.status), h("b", {}, money(order.total_cents))),
      h("ul", { class: "lines" }, lines),
      h("div", { class: "muted small" }, when(order.created_at),
        order.shop_id ? [" · ", t("orders.through"), " ", h("a", { href: `/s/${encodeURIComponent(order.shop_id)}` }, t("orders.shop"))] : null,
        order.status === "pending" ? [" · ", t("orders.pending_hint")] : null,
        order.status === "awaiting_payment" && order.expires_at ? [" · ", t("orders.expires", { when: when(order.expires_at) })] : null,
        order.status === "paid" && order.refundable_until ? [" · ", t("orders.refundable", { when: when(order.refundable_until) })] : null,
        order.rejection_reason ? [" · ", t(`reason.${order.rejection_reason}`, {}, order.rejection_reason)] : null,
        order.cancellation_reason ? [" · ", t(`reason.${order.cancellation_reason}`, {}, order.cancellation_reason)] : null),
      h("div", { class: "row" }, buttons), errors);
  };
  const load = async () => {
    try {
      const data = await api.get(`/api/orders?page=${page}&per_page=20`);
      mount(list, data.items.length ? data.items.map(card) : empty(t("orders.none")));
      const pages = Math.ceil(data.total / data.per_page);
      mount(more, pages > 1 ? h("div", { class: "pager" },
        h("button", { type: "button", class: "button small ghost", disabled: page <= 1, onclick: () => { page--; load(); } }, "‹"),
        h("span", { class: "muted small" }, `${page} / ${pages}`),
        h("button", { type: "button", class: "button small ghost", disabled: page >= pages, onclick: () => { page++; load(); } }, "›")) : null);
    } catch (problem) { showProblem(list, problem); }
  };
  await load();
}

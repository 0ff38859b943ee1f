// Placing an order and following it through the saga: pending (polled), awaiting payment
// (pay / cancel), paid, rejected. A pending order is shown as pending, not as an error.
import * as api from "../api.js";
import { t } from "../i18n.js";
import { h, money, mount, showProblem, statusBadge } from "../ui.js";

export async function orderPanel(box, items, shopId, title) {
  const state = h("div", { class: "order-state" });
  const actions = h("div", { class: "row" });
  const errors = h("div", {});
  mount(box, h("section", { class: "card order-card", "data-test": "order-panel" },
    h("h3", {}, title || t("orders.new")), state, actions, errors));
  const show = (order) => {
    mount(state, statusBadge(order.status), " ",
      order.total_cents !== undefined && order.total_cents !== null ? h("b", {}, money(order.total_cents)) : null,
      order.status === "pending" ? h("span", { class: "muted small spinner" }, t("orders.pending_hint")) : null,
      order.rejection_reason ? h("div", { class: "muted" }, t(`reason.${order.rejection_reason}`, {}, order.rejection_reason)) : null);
    actionsFor(order);
  };
  const actionsFor = (order) => {
    actions.replaceChildren();
    if (order.status === "awaiting_payment") {
      const pay = h("button", { class: "button", type: "button", "data-test": "pay" }, t("orders.pay"));
      const cancel = h("button", { class: "button ghost", type: "button", "data-test": "cancel" }, t("orders.cancel"));
      pay.onclick = () => act(order, "pay", { method: "simulated" }, pay);
      cancel.onclick = () => act(order, "cancel", undefined, cancel);
      actions.append(pay, cancel);
    } else if (order.status === "paid") {
      actions.append(h("a", { class: "button ghost", href: "/#/orders" }, t("orders.see_all")));
    }
  };
  const act = async (order, name, body, button) => {
    button.disabled = true;
    errors.replaceChildren();
    try { show(await api.orderAction(order.id, name, body)); } catch (problem) { showProblem(errors, problem); button.disabled = false; }
  };
  try {
    show(await api.placeOrder(items, shopId, show));
  } catch (problem) {
    showProblem(errors, problem);
  }
}

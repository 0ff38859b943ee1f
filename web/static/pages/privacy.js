// Privacy settings: who sees what I bought, my stats, whether I am on the boards and in
// the shops' visitor lists.
import * as api from "../api.js";
import { t } from "../i18n.js";
import { action, field, h, mount, toast } from "../ui.js";

const select = (name, value, options) => h("select", { name, "data-test": name },
  options.map((o) => h("option", { value: o, selected: o === value }, t(`privacy.${name}.${o}`))));

export async function render(main) {
  const p = await api.get("/api/members/me/privacy");
  const save = h("button", { class: "button", type: "submit", "data-test": "save-privacy" }, t("common.save"));
  const err = h("div", {});
  const form = h("form", { class: "form card" },
    field(t("privacy.purchases"), select("purchases_visible_to", p.purchases_visible_to, ["nobody", "friends"])),
    field(t("privacy.stats"), select("stats_visible_to", p.stats_visible_to, ["everyone", "friends", "nobody"])),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "show_in_leaderboards", checked: p.show_in_leaderboards }), t("privacy.boards")),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "show_me_as_visitor", checked: p.show_me_as_visitor }), t("privacy.visitor")),
    h("p", { class: "muted small" }, t("privacy.sensitive_note")), save, err);
  form.addEventListener("submit", action(save, err, async () => {
    await api.put("/api/members/me/privacy", {
      purchases_visible_to: form.elements.purchases_visible_to.value, stats_visible_to: form.elements.stats_visible_to.value,
      show_in_leaderboards: form.elements.show_in_leaderboards.checked, show_me_as_visitor: form.elements.show_me_as_visitor.checked });
    toast(t("common.saved"));
  }));
  mount(main, h("h1", {}, t("privacy.title")), form);
}

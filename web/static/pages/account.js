// Me: who I am, the other pages, language, password, sign out.
import * as api from "../api.js";
import { t, lang, setLang } from "../i18n.js";
import { current, hasRole, signOut } from "../session.js";
import { icon } from "../icons.js";
import { action, field, h, mount, toast } from "../ui.js";

export async function render(main, { go, refresh }) {
  const me = current();
  const links = ["friends", "privacy", "orders", "dashboard"];
  if (hasRole("merchant") || hasRole("admin")) links.push("merchant");
  if (hasRole("admin")) links.push("admin");
  const err = h("div", {});
  const current_ = h("input", { type: "password", name: "current_password", autocomplete: "current-password", required: true });
  const next = h("input", { type: "password", name: "new_password", autocomplete: "new-password", required: true, minlength: 8 });
  const change = h("button", { class: "button small", type: "submit" }, t("account.change_password"));
  const form = h("form", { class: "form" }, field(t("field.current_password"), current_), field(t("field.new_password"), next), change, err);
  form.addEventListener("submit", action(change, err, async () => {
    await api.put("/api/members/me/password", { current_password: current_.value, new_password: next.value });
    toast(t("common.saved")); form.reset();
  }));
  const out = h("button", { class: "button ghost", type: "button", "data-test": "logout" }, t("account.logout"));
  out.onclick = async () => { await signOut(); go("#/community"); };
  mount(main,
    h("section", { class: "card profile-card" }, h("div", { class: "avatar big" }, me.nickname.slice(0, 1)),
      h("div", {}, h("h1", {}, me.nickname), h("div", { class: "muted" }, "@", me.username),
        h("div", { class: "muted small" }, me.roles.map((r) => t(`role.${r}`, {}, r)).join(" · ")))),
    h("section", { class: "card" }, h("nav", { class: "menu" }, links.map((name) =>
      h("a", { href: `/#/${name}`, "data-test": `menu-${name}` }, icon(name), t(`nav.${name}`))),
      h("a", { href: `/s/${encodeURIComponent(me.member_id)}` }, icon("link"), t("myshop.open")))),
    h("section", { class: "card" }, h("h2", {}, t("account.language")),
      h("div", { class: "seg" }, [["zh", "中文"], ["en", "English"]].map(([code, label]) =>
        h("button", { type: "button", class: lang() === code ? "on" : "", onclick: () => { setLang(code); refresh(); } }, label)))),
    h("section", { class: "card" }, h("h2", {}, t("account.password")), form),
    out);
}

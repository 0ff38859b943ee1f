// Sign in and register; afterwards back to the page that asked for it.
import * as api from "../api.js";
import { t } from "../i18n.js";
import { signIn } from "../session.js";
import { action, field, h, mount } from "../ui.js";

export async function render(main, { params }) {
  const back = params[0] || "#/community";
  let mode = "login";
  const box = h("div", {});
  const done = () => { if (back.startsWith("/s/")) location.assign(back); else location.assign("/" + (back.startsWith("#") ? back : "#/community")); };
  const draw = () => {
    const err = h("div", {});
    const submit = h("button", { class: "button wide", type: "submit", "data-test": "submit" }, t(mode === "login" ? "login.submit" : "register.submit"));
    const form = h("form", { class: "form", "data-test": `${mode}-form` },
      field(t("field.username"), h("input", { name: "username", autocomplete: "username", autocapitalize: "off", required: true, "data-test": "username" })),
      mode === "register" ? field(t("field.nickname"), h("input", { name: "nickname", required: true, "data-test": "nickname" })) : null,
      field(t("field.password"), h("input", { name: "password", type: "password", autocomplete: mode === "login" ? "current-password" : "new-password", required: true, "data-test": "password" })),
      mode === "register" ? h("p", { class: "muted small" }, t("register.rules")) : null,
      submit, err);
    form.addEventListener("submit", action(submit, err, async () => {
      const body = { username: form.elements.username.value, password: form.elements.password.value };
      if (mode === "register") body.nickname = form.elements.nickname.value;
      await signIn(await api.post(mode === "login" ? "/api/auth/login" : "/api/auth/register", body));
      done();
    }));
    mount(box, h("div", { class: "seg" },
      ["login", "register"].map((m) => h("button", { type: "button", class: m === mode ? "on" : "", "data-test": `mode-${m}`,
        onclick: () => { mode = m; draw(); } }, t(`${m}.title`)))), form);
  };
  draw();
  mount(main, h("section", { class: "card narrow" }, h("h1", {}, t("login.welcome")), h("p", { class: "muted" }, t("login.pitch")), box));
}

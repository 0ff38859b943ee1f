// Friends: requests (incoming: accept, decline; outgoing: withdraw), my friends (remove),
// and finding a member by username to ask.
import * as api from "../api.js";
import { t } from "../i18n.js";
import { action, h, mount, showProblem, toast, when, empty } from "../ui.js";

export async function render(main) {
  const findBox = h("section", { class: "card" });
  const incomingBox = h("section", { class: "card" });
  const outgoingBox = h("section", { class: "card" });
  const friendsBox = h("section", { class: "card" });
  mount(main, h("h1", {}, t("friends.title")), findBox, incomingBox, outgoingBox, friendsBox);

  const button = (label, test, run, cls = "button small") => {
    const err = h("span", {});
    const b = h("button", { class: cls, type: "button", "data-test": test }, label);
    b.onclick = action(b, err, run);
    return [b, err];
  };
  const reload = () => Promise.all([loadIncoming(), loadOutgoing(), loadFriends()]);

  const username = h("input", { type: "search", placeholder: t("friends.username"), "data-test": "find-username", autocapitalize: "off" });
  const found = h("div", {});
  const findBtn = h("button", { class: "button small", type: "submit", "data-test": "find" }, t("friends.find"));
  const findForm = h("form", { class: "row" }, username, findBtn);
  findForm.addEventListener("submit", action(findBtn, found, async () => {
    const name = username.value.trim();
    if (!name) return;
    const result = await api.get("/api/members" + api.query({ username: name }));
    mount(found, result.items.length ? result.items.map((m) => h("div", { class: "row", "data-test": "found" },
      h("a", { href: `/s/${encodeURIComponent(m.member_id)}` }, m.nickname),
      button(t("friends.ask"), "ask", async () => {
        await api.post("/api/members/me/friend-requests", { member_id: m.member_id });
        toast(t("friends.asked")); await loadOutgoing();
      }))) : empty(t("friends.nobody", { name })));
  }));
  mount(findBox, h("h2", {}, t("friends.find_title")), findForm, found);

  const loadIncoming = async () => {
    try {
      const data = await api.get("/api/members/me/friend-requests?direction=incoming&per_page=50");
      mount(incomingBox, h("h2", {}, t("friends.incoming")), data.items.length
        ? h("ul", { class: "people" }, data.items.map((r) => h("li", { "data-test": "incoming" },
            h("a", { href: `/s/${encodeURIComponent(r.requester_id)}` }, r.requester_nickname || r.requester_id), h("span", { class: "muted small" }, when(r.created_at)),
            button(t("friends.accept"), "accept", async () => { await api.post(`/api/members/me/friend-requests/${encodeURIComponent(r.id)}/accept`); toast(t("friends.accepted")); await reload(); }),
            button(t("friends.decline"), "decline", async () => { await api.post(`/api/members/me/friend-requests/${encodeURIComponent(r.id)}/decline`); await reload(); }, "button small ghost"))))
        : empty(t("friends.no_incoming")));
    } catch (problem) { showProblem(incomingBox, problem); }
  };
  const loadOutgoing = async () => {
    try {
      const data = await api.get("/api/members/me/friend-requests?direction=outgoing&per_page=50");
      const mine = data.items.filter((r) => r.direction !== "incoming");
      mount(outgoingBox, h("h2", {}, t("friends.outgoing")), mine.length
        ? h("ul", { class: "people" }, mine.map((r) => h("li", { "data-test": "outgoing" },
            h("a", { href: `/s/${encodeURIComponent(r.addressee_id)}` }, r.addressee_nickname || r.addressee_id), h("span", { class: "muted small" }, when(r.created_at)),
            button(t("friends.withdraw"), "withdraw", async () => { await api.del(`/api/members/me/friend-requests/${encodeURIComponent(r.id)}`); await reload(); }, "button small ghost"))))
        : empty(t("friends.no_outgoing")));
    } catch (problem) { showProblem(outgoingBox, problem); }
  };
  const loadFriends = async () => {
    try {
      const data = await api.get("/api/members/me/friends?per_page=100");
      mount(friendsBox, h("h2", {}, t("friends.mine", { n: data.total })), data.items.length
        ? h("ul", { class: "people" }, data.items.map((f) => h("li", { "data-test": "friend" },
            h("a", { href: `/s/${encodeURIComponent(f.member_id)}` }, f.nickname), h("span", { class: "muted small" }, t("friends.since", { when: when(f.since) })),
            button(t("friends.remove"), "unfriend", async () => {
              if (!confirm(t("friends.remove_confirm", { name: f.nickname }))) return;
              await api.del(`/api/members/me/friends/${encodeURIComponent(f.member_id)}`); await reload();
            }, "button small ghost"))))
        : empty(t("friends.none")));
    } catch (problem) { showProblem(friendsBox, problem); }
  };
  await reload();
}

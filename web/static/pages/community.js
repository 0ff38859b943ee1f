// Community: my rank, three friends' sales, my friends' board, and the platform's TOP 300.
import * as api from "../api.js";
import { t } from "../i18n.js";
import { current } from "../session.js";
import { h, money, mount, showProblem, empty } from "../ui.js";

function statLine(line) {
  return line.stats
    ? h("span", { class: "muted small" }, t("community.stats", { sales: money(line.stats.sales_cents_30d), visitors: line.stats.visitors_30d }))
    : h("span", { class: "muted small" }, t("community.hidden"));
}

function boardRow(line, meId) {
  return h("li", { class: `board-row ${line.member_id === meId ? "mine" : ""}`, "data-test": "board-row", "data-member": line.member_id },
    h("span", { class: `rank r${line.rank}` }, line.rank ?? "—"),
    h("a", { class: "name", href: `/s/${encodeURIComponent(line.member_id)}` }, line.nickname),
    line.stats !== undefined ? statLine(line) : null,
    h("span", { class: "score" }, line.score));
}

export async function render(main) {
  const me = current();
  const top = h("section", { class: "card" }, h("p", { class: "muted" }, t("common.loading")));
  const mineBox = h("div", {});
  const friendsBox = h("div", {});
  mount(main, h("h1", {}, t("community.title")), mineBox, friendsBox, top);

  if (me) {
    try {
      const community = await api.get("/api/ranking/community");
      mount(mineBox, h("section", { class: "card me-rank", "data-test": "my-rank" },
        h("div", { class: "big" }, community.me.rank ? `#${community.me.rank}` : t("community.unranked")),
        h("div", {}, t("community.my_score", { score: community.me.score })),
        h("a", { class: "button small", href: `/s/${encodeURIComponent(me.member_id)}` }, t("community.open_my_shop"))));
      const three = community.friends.length
        ? h("div", { class: "three" }, community.friends.map((f) => h("a", { class: "friend-card", href: `/s/${encodeURIComponent(f.member_id)}`, "data-test": "friend-stat" },
            h("div", { class: "avatar" }, f.nickname.slice(0, 1)), h("b", {}, f.nickname),
            f.stats ? [h("div", {}, money(f.stats.sales_cents_30d)), h("div", { class: "muted small" }, t("community.visitors", { n: f.stats.visitors_30d }))]
                    : h("div", { class: "muted small" }, t("community.hidden")))))
        : empty(t("community.no_friends"));
      const board = await api.get("/api/ranking/friends");
      mount(friendsBox,
        h("section", { class: "card" }, h("h2", {}, t("community.three_friends")), three),
        h("section", { class: "card" }, h("h2", {}, t("community.friend_board")),
          h("ol", { class: "board", "data-test": "friend-board" }, board.items.map((line) => boardRow(line, me.member_id)))));
    } catch (problem) { showProblem(mineBox, problem); }
  } else {
    mount(mineBox, h("section", { class: "card" }, h("p", {}, t("community.sign_in_hint")),
      h("a", { class: "button", href: "/#/login" }, t("login.title"))));
  }

  try {
    const board = await api.get("/api/ranking/influence?limit=300");
    mount(top, h("h2", {}, t("community.top300")), h("p", { class: "muted small" }, t("community.formula")),
      board.items.length
        ? h("ol", { class: "board", "data-test": "top-board" }, board.items.map((line) => boardRow(line, me && me.member_id)))
        : empty(t("community.board_empty")));
  } catch (problem) { showProblem(top, problem); }
}

"""The pure parts of the hardening: the bounded JSON parser, display text, the token guard."""
import pytest

from shared.principal import Principal
from shared.bodies import INT64_MAX, INT64_MIN, loads
from shared.failures import BadRequest, Unauthorized
from shared.text import display_error, normalized
from shared.tokens import OwnerUnavailable, ServiceUnavailable, Standing, TokenGuard


# --- the parser -----------------------------------------------------------------------------
def test_the_64_bit_bounds_parse_and_one_more_does_not():
    assert loads(f'[{INT64_MIN}, {INT64_MAX}, 1.5, -0.0]') == [INT64_MIN, INT64_MAX, 1.5, -0.0]
    for text in (str(INT64_MAX + 1), str(INT64_MIN - 1), "9" * 5000, "1e400", "NaN", "-Infinity",
                 "[" * 100 + "]" * 100, b'"\xff"', "{", ""):
        with pytest.raises(BadRequest):
            loads(text)


# --- display text ---------------------------------------------------------------------------
@pytest.mark.parametrize("char", [chr(c) for c in [*range(0, 10), *range(11, 32), *range(0x7f, 0xa0)]]
                         + ["\u061c", "\u200e", "\u200f", "\u2028", "\u2029", "\u202a", "\u202b", "\u202c",
                            "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"])
def test_control_and_bidi_characters_are_refused_anywhere(char):
    assert display_error(f"a{char}b")
    assert display_error(f"a{char}b", multiline=True)


def test_a_newline_only_where_text_has_lines_and_nfc():
    assert display_error("a\nb") and display_error("a\nb", multiline=True) is None
    assert display_error("Zoë 小波 🍵") is None
    assert normalized("Zoe\u0308") == "Zo\u00eb"


# --- the token guard ------------------------------------------------------------------------
class Store:
    def __init__(self):
        self.revoked, self.members = set(), {}

    def is_revoked(self, token_id):
        return token_id in self.revoked

    def standing(self, member_id):
        return self.members.get(member_id)

    def remember(self, standing):
        self.members[standing.member_id] = standing

    def look(self, token_id, member_id):
        return bool(token_id) and self.is_revoked(token_id), self.standing(member_id)


def principal(member_id="m1", jti="t1", iat_us=1_000):
    return Principal(member_id, token_id=jti, issued_at_us=iat_us, expires_at=10**10)


def test_an_unknown_member_is_asked_of_the_owner_once_and_remembered():
    asked = []
    store = Store()
    guard = TokenGuard(store, lambda member_id: asked.append(member_id) or Standing(member_id, 0))
    guard.check(principal())
    guard.check(principal())
    assert asked == ["m1"] and "m1" in store.members


def test_refusals_revoked_id_not_before_unknown_member_and_no_owner():
    store = Store()
    store.members["m1"] = Standing("m1", 2_000)
    store.revoked.add("gone")
    guard = TokenGuard(store, lambda member_id: None)
    for refused in (principal(jti="gone", iat_us=5_000), principal(iat_us=1_999), principal("nobody")):
        with pytest.raises(Unauthorized):
            guard.check(refused)
    guard.check(principal(iat_us=2_000))  # issued at the change itself: the new token
    with pytest.raises(Unauthorized):
        TokenGuard(Store(), None).check(principal())


def test_an_owner_that_cannot_answer_is_503_and_a_service_needs_no_member():
    def down(member_id):
        raise OwnerUnavailable("connection refused")
    guard = TokenGuard(Store(), down)
    with pytest.raises(ServiceUnavailable):
        guard.check(principal())
    guard.check(Principal("service:ranking-rebuild", roles=("admin",)))


def test_the_sql_list_answers_a_request_in_one_look_as_its_two_questions_do(tmp_path):
    from datetime import datetime, timezone

    from sqlalchemy import MetaData

    from shared.db import Database
    from shared.tokens import SqlTokenStore, token_tables

    metadata = MetaData()
    token_tables(metadata)
    db = Database(f"sqlite:///{tmp_path / 'tokens.db'}", metadata, producer="shop")
    db.create_all()
    store = SqlTokenStore(db)
    with db.unit_of_work() as uow:
        uow.conn.execute(store.revoked.insert().values(token_id="gone", member_id="m1",
                                                       expires_at=datetime(2100, 1, 1, tzinfo=timezone.utc)))
        uow.conn.execute(store.members.insert().values(member_id="m1", not_before_us=2_000))
    for token_id in ("gone", "kept", None):
        for member_id in ("m1", "nobody"):
            assert store.look(token_id, member_id) == (token_id is not None and store.is_revoked(token_id),
                                                       store.standing(member_id))
    assert store.look("gone", "nobody") == (True, None)
    assert store.look("kept", "m1") == (False, Standing("m1", 2_000))
    db.dispose()

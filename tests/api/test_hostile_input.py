"""What a hostile client sends, on every service: each is a 4xx problem, never a 500, and
nothing is stored (issue 14: huge numbers, bodies that are not JSON, loose booleans,
unknown enum values, control and bidi characters in names others see)."""
import pytest

PROBLEM = "application/problem+json"
HUGE = "9" * 5000  # json.loads raises ValueError past 4,300 digits
PAST_64_BITS = str(2 ** 64)
REGISTER = {"username": "eve", "password": "a-long-password", "nickname": "Eve"}


def assert_problem(response, *statuses):
    assert response.status_code in statuses, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.headers["Content-Type"] == PROBLEM


def raw_json(client, method, path, text, headers=None):
    return client.open(path, method=method, data=text, content_type="application/json", headers=headers or {})


def register(client, username="eve", nickname="Eve"):
    response = client.post("/api/auth/register", json={**REGISTER, "username": username, "nickname": nickname})
    assert response.status_code == 201, response.json
    return response.json


# --- numbers bounded at the parser ----------------------------------------------------------
@pytest.mark.parametrize("digits", [HUGE, PAST_64_BITS, "-" + PAST_64_BITS])
def test_a_huge_integer_on_login_is_400(client, digits):
    response = raw_json(client, "POST", "/api/auth/login", f'{{"username": "eve", "password": {digits}}}')
    assert_problem(response, 400)
    assert "integer" in response.json["detail"]


@pytest.mark.parametrize("digits", [HUGE, PAST_64_BITS])
def test_a_huge_integer_on_register_is_400_and_opens_nothing(client, digits):
    response = raw_json(client, "POST", "/api/auth/register",
                        f'{{"username": "eve", "password": "a-long-password", "nickname": "Eve", "x": {digits}}}')
    assert_problem(response, 400)
    assert client.post("/api/auth/login", json={"username": "eve", "password": "a-long-password"}).status_code == 401


def test_a_huge_integer_on_authenticated_endpoints_is_400(client):
    token = {"Authorization": f"Bearer {register(client)['token']}"}
    for method, path, body in [
        ("POST", "/api/orders", f'{{"items": [{{"product_id": "p", "quantity": {HUGE}}}]}}'),
        ("PATCH", "/api/members/me", f'{{"nickname": {HUGE}}}'),
        ("POST", "/api/commissions/me/withdrawals", f'{{"amount_cents": {PAST_64_BITS}}}'),
        ("POST", "/api/catalog/brands", f'{{"name": "B", "x": {HUGE}}}'),
    ]:
        assert_problem(raw_json(client, method, path, body, headers=token), 400)


def test_every_json_endpoint_of_every_service_refuses_a_huge_integer(client, admin):
    """Walk every operation with a JSON body in the four OpenAPI documents."""
    for service in ("catalog", "shop", "order", "ranking"):
        paths = client.get(f"/openapi/{service}.json").json["paths"]
        for template, operations in paths.items():
            path = template.replace("{", "").replace("}", "")
            for method, operation in operations.items():
                if "requestBody" not in operation:
                    continue
                response = raw_json(client, method.upper(), path, f'{{"n": {HUGE}}}', headers=admin)
                assert_problem(response, 400)


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", '{"a": 1e999}', "[" * 5000 + "]" * 5000,
                                  '{"a": 1.' + "0" * 100 + "}"])
def test_numbers_and_shapes_json_does_not_have_are_400(client, text):
    assert_problem(raw_json(client, "POST", "/api/auth/login", text), 400)


def test_the_largest_64_bit_integer_parses_and_the_schema_judges_it(client, admin):
    brand = client.post("/api/catalog/brands", json={"name": "Tea"}, headers=admin).json
    body = (f'{{"brand_id": "{brand["id"]}", "sku": "S1", "name": "T", "category": "tea", '
            f'"list_price_cents": {2 ** 63 - 1}, "exclusive_price_cents": 1, "commission_rate_bp": 0, "stock": 1}}')
    response = raw_json(client, "POST", "/api/catalog/products", body, headers=admin)
    assert_problem(response, 422)
    assert "list_price_cents" in response.json["errors"]


def test_an_integer_query_past_64_bits_is_refused(client, admin):
    response = client.get("/internal/catalog/events?after=3158131762876519999864832", headers=admin)
    assert_problem(response, 422)
    assert "after" in response.json["errors"]


def test_every_integer_query_of_every_service_is_refused_past_64_bits(client, admin):
    for service in ("catalog", "shop", "order", "ranking"):
        document = client.get(f"/openapi/{service}.json").json
        for template, operations in document["paths"].items():
            path = template.replace("{", "").replace("}", "")
            for method, operation in operations.items():
                if method == "parameters":  # the path's own, not an operation
                    continue
                for parameter in operation.get("parameters", []):
                    if parameter["in"] != "query" or parameter["schema"].get("type") != "integer":
                        continue
                    assert parameter["schema"]["maximum"] <= 2 ** 63 - 1, (template, parameter["name"])
                    for value in (PAST_64_BITS, HUGE):
                        response = client.open(f"{path}?{parameter['name']}={value}", method=method.upper(),
                                               headers=admin)
                        assert_problem(response, 400, 422)


def test_every_integer_body_field_is_documented_within_64_bits(client):
    for service in ("catalog", "shop", "order", "ranking"):
        for name, schema in client.get(f"/openapi/{service}.json").json["components"]["schemas"].items():
            for field, spec in schema.get("properties", {}).items():
                if spec.get("type") == "integer" and not spec.get("readOnly") and "maximum" in spec:
                    assert spec["maximum"] <= 2 ** 63 - 1, (name, field)


# --- only JSON ------------------------------------------------------------------------------
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", ""])
def test_a_body_that_is_not_json_is_415(client, content_type):
    body = "username=eve&password=a-long-password&nickname=Eve"
    response = client.post("/api/auth/register", data=body, content_type=content_type or None)
    assert_problem(response, 415)
    assert client.post("/api/auth/login", json={"username": "eve", "password": "a-long-password"}).status_code == 401


def test_a_text_body_on_an_authenticated_endpoint_is_415(client):
    token = {"Authorization": f"Bearer {register(client)['token']}"}
    response = client.patch("/api/members/me", data='{"nickname": "Mallory"}', content_type="text/plain",
                            headers=token)
    assert_problem(response, 415)
    assert client.get("/api/members/me", headers=token).json["nickname"] == "Eve"


def test_a_body_that_is_not_utf8_is_400(client):
    response = client.post("/api/auth/login", data=b'{"username": "\xff"}', content_type="application/json")
    assert_problem(response, 400)


# --- booleans and enumerations --------------------------------------------------------------
@pytest.mark.parametrize("value", ["yes", "true", 1, 0, "false", None])
def test_sensitive_takes_only_a_json_boolean(client, admin, value):
    brand = client.post("/api/catalog/brands", json={"name": "Tea"}, headers=admin).json
    response = client.post("/api/catalog/products", headers=admin, json={
        "brand_id": brand["id"], "sku": "S1", "name": "T", "category": "tea", "list_price_cents": 100,
        "exclusive_price_cents": 90, "commission_rate_bp": 0, "stock": 1, "sensitive": value})
    assert_problem(response, 422)
    assert "sensitive" in response.json["errors"]
    assert client.get("/api/catalog/products?status=all").json["total"] == 0


@pytest.mark.parametrize("path", ["/api/members/me/friend-requests?direction=bogus",
                                  "/api/catalog/products?status=bogus", "/api/shops/me/candidates?source=bogus",
                                  "/api/commissions/withdrawals?status=bogus"])
def test_an_unknown_enum_value_in_a_query_is_422(client, admin, path):
    token = {"Authorization": f"Bearer {register(client)['token']}"}
    response = client.get(path, headers=admin if "withdrawals" in path else token)
    assert_problem(response, 422)


def test_friend_requests_by_direction(client):
    alice, bob = register(client, "alice", "Alice"), register(client, "bob", "Bob")
    asked = client.post("/api/members/me/friend-requests", json={"member_id": bob["member_id"]},
                        headers={"Authorization": f"Bearer {alice['token']}"})
    assert asked.status_code == 201, asked.json
    mine = {"Authorization": f"Bearer {alice['token']}"}
    assert client.get("/api/members/me/friend-requests", headers=mine).json["total"] == 0
    outgoing = client.get("/api/members/me/friend-requests?direction=outgoing", headers=mine).json
    assert [r["addressee_id"] for r in outgoing["items"]] == [bob["member_id"]]
    theirs = {"Authorization": f"Bearer {bob['token']}"}
    assert client.get("/api/members/me/friend-requests?direction=incoming", headers=theirs).json["total"] == 1


# --- text others see ------------------------------------------------------------------------
BAD_CHARACTERS = ["\x00", "\x07", "\x1b[31m", "\t", "\n", "\r", "\x7f", "\x85", "\u061c", "\u200e", "\u200f",
                  "\u2028", "\u2029", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067",
                  "\u2068", "\u2069"]


@pytest.mark.parametrize("bad", BAD_CHARACTERS, ids=[f"U+{ord(c[0]):04X}" for c in BAD_CHARACTERS])
def test_each_bad_character_in_a_nickname_is_422(client, bad):
    response = client.post("/api/auth/register", json={**REGISTER, "nickname": f"Ev{bad}e"})
    assert_problem(response, 422)
    assert "nickname" in response.json["errors"]
    token = {"Authorization": f"Bearer {register(client)['token']}"}
    response = client.patch("/api/members/me", json={"nickname": f"Mal{bad}lory"}, headers=token)
    assert_problem(response, 422)
    assert client.get("/api/members/me", headers=token).json["nickname"] == "Eve"


def test_a_nickname_is_stored_in_nfc(client):
    account = register(client, nickname="Rene\u0301e")
    token = {"Authorization": f"Bearer {account['token']}"}
    assert client.get("/api/members/me", headers=token).json["nickname"] == "Ren\u00e9e"
    client.patch("/api/members/me", json={"nickname": "Zoe\u0308", "bio": "line one\nline two, cafe\u0301"},
                 headers=token)
    me = client.get("/api/members/me", headers=token).json
    assert (me["nickname"], me["bio"]) == ("Zo\u00eb", "line one\nline two, caf\u00e9")


def test_a_bio_keeps_its_newlines_and_refuses_bidi_overrides(client):
    token = {"Authorization": f"Bearer {register(client)['token']}"}
    assert_problem(client.patch("/api/members/me", json={"bio": "hi \u202eolleh"}, headers=token), 422)
    assert_problem(client.patch("/api/members/me", json={"bio": "hi \x1b[2J"}, headers=token), 422)
    assert client.patch("/api/members/me", json={"bio": "two\nlines"}, headers=token).status_code == 200


@pytest.mark.parametrize("field, value", [("name", "Tea \u202egpj"), ("name", "Tea\x1b[31m"),
                                          ("description", "nice \u2066tea"), ("description", "a\rb")])
def test_brand_and_product_texts_refuse_control_and_bidi_characters(client, admin, field, value):
    brand = client.post("/api/catalog/brands", json={"name": "Tea", field: value}, headers=admin)
    assert_problem(brand, 422)
    brand = client.post("/api/catalog/brands", json={"name": "Tea", "description": "one\ntwo"}, headers=admin)
    assert brand.status_code == 201
    response = client.post("/api/catalog/products", headers=admin, json={
        "brand_id": brand.json["id"], "sku": "S1", "name": "T", "category": "tea", "list_price_cents": 100,
        "exclusive_price_cents": 90, "commission_rate_bp": 0, "stock": 1, field: value})
    assert_problem(response, 422)
    assert field in response.json["errors"]


def test_a_brand_name_is_stored_in_nfc(client, admin):
    brand = client.post("/api/catalog/brands", json={"name": "Cafe\u0301 Noir"}, headers=admin)
    assert brand.status_code == 201
    assert brand.json["name"] == "Caf\u00e9 Noir"


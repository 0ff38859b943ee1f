import pytest

from services.shop.domain.profile import Profile, edit, validate_changes
from shared.failures import Unprocessable

ME = Profile(member_id="m1", nickname="Li Wei", avatar_url="https://img.example/a.png")


def errors_of(changes: dict) -> dict:
    with pytest.raises(Unprocessable) as caught:
        validate_changes(changes)
    return caught.value.errors


def test_every_field_can_be_edited():
    edited = edit(ME, {"nickname": "  Wei  ", "bio": "tea and books",
                       "avatar_url": "http://cdn.example/x.jpg",
                       "banner_url": "https://cdn.example/banner.webp"})
    assert edited == Profile("m1", "Wei", "http://cdn.example/x.jpg",
                             "https://cdn.example/banner.webp", "tea and books")


def test_null_clears_an_optional_field():
    assert edit(ME, {"avatar_url": None}).avatar_url is None
    assert edit(ME, {"bio": None, "banner_url": None}).bio is None


@pytest.mark.parametrize("nickname", ["", "   ", "x" * 41, None, 7])
def test_a_bad_nickname_is_refused(nickname):
    assert list(errors_of({"nickname": nickname})) == ["nickname"]


def test_nickname_limits_are_one_and_forty_characters():
    assert edit(ME, {"nickname": "x"}).nickname == "x"
    assert edit(ME, {"nickname": "x" * 40}).nickname == "x" * 40


def test_bio_is_at_most_280_characters():
    assert edit(ME, {"bio": "b" * 280}).bio == "b" * 280
    assert errors_of({"bio": "b" * 281}) == {"bio": ["must be at most 280 characters"]}


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "ftp://files.example/a.png", "https:///no-host", "not a url",
    "https://ex ample.com/a.png", "//cdn.example/a.png", "https://cdn.example/" + "a" * 481, 42,
    "http://[::1",
])
def test_only_real_http_urls_up_to_500_characters(url):
    assert set(errors_of({"avatar_url": url, "banner_url": url})) == {"avatar_url", "banner_url"}


def test_a_500_character_url_is_accepted():
    url = "https://cdn.example/" + "a" * 480
    assert len(url) == 500
    assert edit(ME, {"avatar_url": url}).avatar_url == url


def test_every_bad_field_is_reported_at_once_and_unknown_fields_too():
    assert set(errors_of({"nickname": "", "bio": "b" * 300, "member_id": "m2"})) == {
        "nickname", "bio", "member_id"}

import pytest

from services.shop.domain.accounts import (ADMIN, MEMBER, MERCHANT, canonical_username,
                                           roles_for, validate_registration)
from shared.failures import Unprocessable


def test_a_registration_is_cleaned_for_storage():
    assert validate_registration(" Li.Wei ", "correct horse", " Wei ") == {
        "username": "li.wei", "password": "correct horse", "nickname": "Wei"}


def test_usernames_are_case_insensitive():
    assert canonical_username("LiWei") == canonical_username("liwei")


@pytest.mark.parametrize("username", ["ab", "x" * 33, "-dash", "li wei", "李伟", None])
def test_bad_usernames_are_refused(username):
    with pytest.raises(Unprocessable) as caught:
        validate_registration(username, "correct horse", "Wei")
    assert list(caught.value.errors) == ["username"]


@pytest.mark.parametrize("password", ["short", "x" * 129, 12345678, None])
def test_passwords_are_8_to_128_characters(password):
    with pytest.raises(Unprocessable) as caught:
        validate_registration("liwei", password, "Wei")
    assert list(caught.value.errors) == ["password"]


def test_every_bad_field_is_reported_together():
    with pytest.raises(Unprocessable) as caught:
        validate_registration("", "", "")
    assert set(caught.value.errors) == {"username", "password", "nickname"}


def test_roles():
    assert roles_for() == (MEMBER,)
    assert roles_for(merchant_of="b1") == (MEMBER, MERCHANT)
    assert roles_for(admin=True) == (MEMBER, ADMIN)

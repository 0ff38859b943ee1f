"""Password hashing: argon2id at OWASP's setting, never the clear password."""
from argon2 import PasswordHasher

from services.shop.passwords import Passwords


def test_hashes_are_argon2id_with_19_mib_and_two_passes():
    passwords = Passwords()
    hashed = passwords.hash("a-long-password")
    assert hashed.startswith("$argon2id$") and "m=19456,t=2,p=1" in hashed
    assert "a-long-password" not in hashed
    assert passwords.verify(hashed, "a-long-password")
    assert not passwords.verify(hashed, "a-long-passwore")
    assert not passwords.verify(None, "a-long-password")  # an unknown user never matches


def test_older_stronger_hashes_still_verify_and_ask_for_a_rehash():
    old = PasswordHasher().hash("a-long-password")  # argon2-cffi's default, 64 MiB
    passwords = Passwords()
    assert passwords.verify(old, "a-long-password")
    assert passwords.needs_rehash(old)

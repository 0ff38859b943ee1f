"""Password hashing with argon2id (argon2-cffi): never stored, compared or logged in clear."""
from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Passwords:
    def __init__(self, hasher: PasswordHasher | None = None):
        # OWASP's argon2id setting (19 MiB, 2 passes): argon2-cffi's default takes 64 MiB a
        # hash, so each concurrent login held 64 MiB (seen in `make bench`). Hashes made with
        # other parameters still verify, and needs_rehash() says when to upgrade them.
        self.hasher = hasher or PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1,
                                               type=Type.ID)
        # Checked against when the username is unknown, so a wrong username takes as long
        # as a wrong password and does not reveal which accounts exist.
        self._decoy = self.hasher.hash("decoy password that no account has")

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash or self._decoy, password) and password_hash is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """True when the hash was made with weaker parameters than today's."""
        return self.hasher.check_needs_rehash(password_hash)

"""Password hashing with Argon2id (argon2-cffi, the reference implementation's maintained binding).

Argon2id is OWASP's first choice; the library's default parameters (64 MiB, 3 passes) cost ~50 ms, which
bounds guessing without making log-in slow. Hashes carry their parameters, so raising them later only
needs ``needs_rehash`` on the next log-in.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from matcher.errors import ValidationError

MIN_LENGTH = 8
MAX_LENGTH = 256
_HASHER = PasswordHasher()
# Verified against when the user does not exist, so a wrong user name costs as long as a wrong password.
_DUMMY = _HASHER.hash("matcher-dummy-password")


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 个字符（实为 {len(password)} 个）"
    if len(password) > MAX_LENGTH:
        return f"密码不得超过 {MAX_LENGTH} 个字符"
    return None


def hash_password(password: str) -> str:
    problem = password_problem(password)
    if problem:
        raise ValidationError([problem])
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing hash (system account) never matches."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _HASHER.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)


def set_hasher(hasher: PasswordHasher) -> None:
    """Swap the hasher (tests use ``argon2.profiles.CHEAPEST`` so hundreds of log-ins stay fast)."""
    global _HASHER
    _HASHER = hasher

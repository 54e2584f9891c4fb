"""Password hashing with Argon2id (argon2-cffi, the reference implementation's maintained binding), the
password policy, and a bound on concurrent hash work.

Argon2id is OWASP's first choice; the library's default parameters (64 MiB, 3 passes) cost ~50 ms, which
bounds guessing without making log-in slow. Hashes carry their parameters, so raising them later only
needs ``needs_rehash`` on the next log-in. Each hash takes 64 MiB, so at most
``Settings.password_hash_concurrency`` run at once (40 parallel bad log-ins once took 2.3 GB).

The policy (``password_problems``): at least ``MIN_LENGTH`` characters, at most ``MAX_LENGTH``, not all
of one class (lower-case, upper-case, digits, other), and not in the common-password list shipped in
``common_passwords.txt``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from matcher.auth.errors import ServerBusy
from matcher.errors import ValidationError

MIN_LENGTH = 10
MAX_LENGTH = 256
HASH_WAIT_SECONDS = 20.0  # a log-in waiting longer than this for a free hash slot gets 503
_COMMON = Path(__file__).with_name("common_passwords.txt")
_HASHER = PasswordHasher()
# Verified against when the user does not exist, so a wrong user name costs as long as a wrong password.
_DUMMY = _HASHER.hash("matcher-dummy-password")
T = TypeVar("T")


@cache
def common_passwords() -> frozenset[str]:
    lines = _COMMON.read_text(encoding="utf-8").splitlines()
    return frozenset(x.strip().lower() for x in lines if x.strip() and not x.startswith("#"))


def _classes(password: str) -> int:
    kinds = (str.islower, str.isupper, str.isdigit)
    found = {next((i for i, k in enumerate(kinds) if k(c) and c.isascii()), 3) for c in password}
    return len(found)


def password_problems(password: str) -> list[str]:
    """Why a new password is refused (Chinese, one line per reason); empty when it is acceptable."""
    if len(password) > MAX_LENGTH:
        return [f"密码不得超过 {MAX_LENGTH} 个字符"]
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"密码至少 {MIN_LENGTH} 个字符（实为 {len(password)} 个）")
    if password and _classes(password) < 2:
        problems.append("密码不能只由一类字符组成：请混合使用字母、数字或符号中的至少两类")
    if password.strip().lower() in common_passwords():
        problems.append("该密码属于常见弱密码，容易被猜中，请换一个")
    return problems


@cache
def _slots() -> threading.BoundedSemaphore:
    from matcher.settings import get_settings

    return threading.BoundedSemaphore(get_settings().password_hash_concurrency)


def _bounded(work: Callable[[], T]) -> T:
    """Run one Argon2 computation once a slot is free (``ServerBusy`` after ``HASH_WAIT_SECONDS``)."""
    slots = _slots()
    if not slots.acquire(timeout=HASH_WAIT_SECONDS):
        raise ServerBusy("服务器繁忙（登录请求过多），请稍后再试")
    try:
        return work()
    finally:
        slots.release()


def hash_password(password: str) -> str:
    problems = password_problems(password)
    if problems:
        raise ValidationError(problems)
    return _bounded(lambda: _HASHER.hash(password))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing hash (system account) never matches."""
    if len(password) > MAX_LENGTH:
        return False

    def _verify() -> bool:
        try:
            return _HASHER.verify(stored_hash or _DUMMY, password) and stored_hash is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    return _bounded(_verify)


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)


def set_hasher(hasher: PasswordHasher) -> None:
    """Swap the hasher (tests use ``argon2.profiles.CHEAPEST`` so hundreds of log-ins stay fast)."""
    global _HASHER
    _HASHER = hasher

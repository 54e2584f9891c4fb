"""Log-in throttling: per account and per address, with exponential backoff, shared by every process.

After ``limit`` failures in a row for one key (an account name, or a client address with a higher limit,
since many users may share one address behind a NAT), the key is locked for ``base`` seconds, doubled on
each further failure up to ``longest``; while locked even the right password is refused, and no password
hash is computed. Failures are forgotten ``window`` seconds after the last one, and an account's count
on a successful log-in (an address's is not: one's own account must not reset an attacker's count).

The counts live in the database (table ``login_failures``), so every server worker sees the same ones:
four workers do not allow four times the failures. Rows whose window has passed are deleted as failures
are recorded, so an attacker cycling through names or addresses cannot grow the table without bound.

Use::

    throttle = LoginThrottle(store, limit=5, address_limit=20)
    throttle.check("sme1", "10.0.0.8")      # raises LoginThrottled while locked
    throttle.failed("sme1", "10.0.0.8")
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import NamedTuple

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from matcher.auth.errors import LoginThrottled
from matcher.store import Store
from matcher.store.tables import LoginFailureRow

KEY_LENGTH = 200


class Failures(NamedTuple):
    failures: int
    last: float
    locked_until: float


def after_failure(
    before: Failures | None, now: float, *, limit: int, base: float, longest: float, window: float
) -> Failures:
    """The record after one more failure: counted afresh once the window has passed (and no lock holds),
    locked from the ``limit``-th failure for ``base`` seconds, doubling up to ``longest``.

    >>> after_failure(Failures(4, 100.0, 0.0), 110.0, limit=5, base=30, longest=900, window=900)
    Failures(failures=5, last=110.0, locked_until=140.0)
    """
    if before is None or (now - before.last > window and before.locked_until <= now):
        before = Failures(0, now, 0.0)
    count = before.failures + 1
    locked = now + min(longest, base * 2 ** (count - limit)) if count >= limit else before.locked_until
    return Failures(count, now, locked)


class LoginThrottle:
    def __init__(
        self,
        store: Store,
        *,
        limit: int = 5,
        address_limit: int = 20,
        base: float = 30.0,
        longest: float = 900.0,
        window: float = 900.0,
        clock: Callable[[], float] = time.time,  # wall time: the processes sharing the rows share no other clock
    ) -> None:
        self.store = store
        self.limit, self.address_limit = limit, address_limit
        self.base, self.longest, self.window, self.clock = base, longest, window, clock

    def _keys_of(self, account: str, address: str) -> dict[str, int]:
        keys = {f"account:{account}"[:KEY_LENGTH]: self.limit}
        if address:
            keys[f"address:{address}"[:KEY_LENGTH]] = self.address_limit
        return keys

    def check(self, account: str, address: str = "") -> None:
        """Raise ``LoginThrottled`` (with the seconds to wait) while the account or address is locked."""
        now = self.clock()
        keys = list(self._keys_of(account, address))
        with self.store.session() as s:
            until = s.scalars(select(LoginFailureRow.locked_until).where(LoginFailureRow.key.in_(keys))).all()
        wait = max((u - now for u in until), default=0.0)
        if wait > 0:
            raise LoginThrottled(math.ceil(wait))

    def failed(self, account: str, address: str = "") -> None:
        try:
            self._failed(account, address)
        except IntegrityError:  # another process recorded the key's first failure at the same moment
            self._failed(account, address)

    def _failed(self, account: str, address: str) -> None:
        now = self.clock()
        with self.store.session() as s:
            for key, limit in self._keys_of(account, address).items():
                row = s.get(LoginFailureRow, key, with_for_update=True)
                before = Failures(row.count, row.last, row.locked_until) if row else None
                after = after_failure(
                    before, now, limit=limit, base=self.base, longest=self.longest, window=self.window
                )
                if row is None:
                    s.add(LoginFailureRow(key=key, count=after.failures, last=after.last, locked_until=after.locked_until))
                else:
                    row.count, row.last, row.locked_until = after
            s.flush()
            s.execute(
                delete(LoginFailureRow).where(
                    LoginFailureRow.last < now - self.window, LoginFailureRow.locked_until <= now
                )
            )

    def succeeded(self, account: str) -> None:
        with self.store.session() as s:
            s.execute(delete(LoginFailureRow).where(LoginFailureRow.key == f"account:{account}"[:KEY_LENGTH]))

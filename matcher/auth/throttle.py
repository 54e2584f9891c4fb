"""Log-in throttling: per account and per address, with exponential backoff.

After ``limit`` failures in a row for one key (an account name, or a client address with a higher limit,
since many users may share one address behind a NAT), the key is locked for ``base`` seconds, doubled on
each further failure up to ``longest``; while locked even the right password is refused, and no password
hash is computed. Failures are forgotten ``window`` seconds after the last one, and an account's count
on a successful log-in (an address's is not: one's own account must not reset an attacker's count).

The record lives in the server process (bounded, oldest forgotten first): with several workers each
counts apart, so the effective limit is multiplied by the number of workers; that still bounds guessing
to a few attempts per minute per account.

>>> throttle = LoginThrottle(limit=5, address_limit=20)
>>> throttle.check("sme1", "10.0.0.8")      # raises LoginThrottled while locked
>>> throttle.failed("sme1", "10.0.0.8")
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from matcher.auth.errors import LoginThrottled

MAX_KEYS = 100_000


@dataclass(slots=True)
class _Failures:
    count: int = 0
    last: float = 0.0
    locked_until: float = 0.0


class LoginThrottle:
    def __init__(
        self,
        *,
        limit: int = 5,
        address_limit: int = 20,
        base: float = 30.0,
        longest: float = 900.0,
        window: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.address_limit = limit, address_limit
        self.base, self.longest, self.window, self.clock = base, longest, window, clock
        self._keys: OrderedDict[str, _Failures] = OrderedDict()
        self._lock = threading.Lock()

    def _keys_of(self, account: str, address: str) -> list[tuple[str, int]]:
        keys = [(f"account:{account}", self.limit)]
        return keys + [(f"address:{address}", self.address_limit)] if address else keys

    def check(self, account: str, address: str = "") -> None:
        """Raise ``LoginThrottled`` (with the seconds to wait) while the account or address is locked."""
        now = self.clock()
        with self._lock:
            waits = [f.locked_until - now for k, _ in self._keys_of(account, address) if (f := self._keys.get(k))]
        wait = max(waits, default=0.0)
        if wait > 0:
            raise LoginThrottled(math.ceil(wait))

    def failed(self, account: str, address: str = "") -> None:
        now = self.clock()
        with self._lock:
            for key, limit in self._keys_of(account, address):
                found = self._keys.pop(key, None) or _Failures()
                if now - found.last > self.window and found.locked_until <= now:
                    found = _Failures()
                found.count += 1
                found.last = now
                if found.count >= limit:
                    found.locked_until = now + min(self.longest, self.base * 2 ** (found.count - limit))
                self._keys[key] = found
            while len(self._keys) > MAX_KEYS:
                self._keys.popitem(last=False)

    def succeeded(self, account: str) -> None:
        with self._lock:
            self._keys.pop(f"account:{account}", None)

"""The sending point: one message to one account, and the interface every channel implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

TITLE_MAX = 200
BODY_MAX = 2000


@dataclass(frozen=True, slots=True)
class Message:
    """What an account is told: a one-line title, a few sentences, and the page to open."""

    account_id: int
    title: str
    body: str = ""
    link: str = ""


class Sender(Protocol):
    """A channel. ``send`` runs inside the caller's transaction, so a change that fails leaves no message
    behind (a channel leaving the platform should queue, not send, until the transaction commits)."""

    def send(self, session: Session, message: Message) -> None: ...

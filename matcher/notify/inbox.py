"""The platform's own inbox: messages stored per account, listed newest first, with an unread count."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from matcher.notify.base import BODY_MAX, TITLE_MAX, Message, Sender
from matcher.store import Store
from matcher.store.tables import AccountRow, NotificationRow

INBOX_MAX = 200


class Notice(NamedTuple):
    id: int
    title: str
    body: str
    link: str
    created_at: dt.datetime
    read: bool


class InboxSender:
    """Stores the message as a row the account reads on its 消息 page."""

    def send(self, session: Session, message: Message) -> None:
        session.add(
            NotificationRow(
                account_id=message.account_id,
                title=message.title[:TITLE_MAX],
                body=message.body[:BODY_MAX],
                link=message.link[:300],
            )
        )


class Notifier:
    """Tells accounts (or every account of an enterprise) through each sender; reads the inbox back."""

    def __init__(self, store: Store, senders: Sequence[Sender] = ()) -> None:
        self.store = store
        self.senders: tuple[Sender, ...] = tuple(senders) or (InboxSender(),)

    def tell_enterprise(self, session: Session, enterprise_id: int, title: str, body: str, link: str) -> int:
        """Send to every active account of the enterprise; returns how many accounts were told."""
        ids = session.scalars(
            select(AccountRow.id).where(
                AccountRow.enterprise_id == enterprise_id, AccountRow.active.is_(True)
            )
        ).all()
        self.tell(session, ids, title, body, link)
        return len(ids)

    def tell(self, session: Session, account_ids: Iterable[int], title: str, body: str, link: str) -> None:
        for account_id in account_ids:
            for sender in self.senders:
                sender.send(session, Message(account_id, title, body, link))

    def inbox(self, account_id: int, *, limit: int = 50) -> list[Notice]:
        with self.store.session() as s:
            rows = s.scalars(
                select(NotificationRow)
                .where(NotificationRow.account_id == account_id)
                .order_by(NotificationRow.id.desc())
                .limit(min(limit, INBOX_MAX))
            )
            return [Notice(r.id, r.title, r.body, r.link, r.created_at, r.read_at is not None) for r in rows]

    def unread(self, account_id: int) -> int:
        with self.store.session() as s:
            query = select(func.count()).where(
                NotificationRow.account_id == account_id, NotificationRow.read_at.is_(None)
            )
            return int(s.scalar(query) or 0)

    def mark_read(self, account_id: int, notice_id: int | None = None) -> int:
        """Mark one message (or, with None, all) of this account read; another account's id changes nothing."""
        query = update(NotificationRow).where(
            NotificationRow.account_id == account_id, NotificationRow.read_at.is_(None)
        )
        if notice_id is not None:
            query = query.where(NotificationRow.id == notice_id)
        with self.store.session() as s:
            return int(s.execute(query.values(read_at=dt.datetime.now(dt.UTC))).rowcount)  # type: ignore[attr-defined]

    def open(self, account_id: int, notice_id: int) -> str:
        """Mark one of the account's messages read and return the page it is about ("" if not its own)."""
        self.mark_read(account_id, notice_id)
        with self.store.session() as s:
            link = s.scalar(
                select(NotificationRow.link).where(
                    NotificationRow.id == notice_id, NotificationRow.account_id == account_id
                )
            )
            return link or ""

"""In-platform notifications: who is told what when the other side of a deal acts.

Every message goes out through :class:`Sender` objects; the platform's own inbox (:class:`InboxSender`)
is the one built in. An e-mail or SMS sender would be one more class with the same ``send`` method,
handed to :class:`Notifier` (out of scope today).
"""

from matcher.notify.base import Message, Sender
from matcher.notify.inbox import InboxSender, Notice, Notifier

__all__ = ["InboxSender", "Message", "Notice", "Notifier", "Sender"]

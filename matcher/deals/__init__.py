"""The two-sided workflow (发榜/揭榜): enterprises respond to demands, publishers invite candidates, and
contact details pass between the two sides only once both have agreed.

``Deals`` is the service the Engine holds (``engine.deals``); every call takes the caller's Principal and
applies the record rules of ``matcher.auth.policy``.
"""

from matcher.deals.model import DealView, Invitation, InvitationStatus, Response, ResponseStatus
from matcher.deals.service import Deals

__all__ = ["DealView", "Deals", "Invitation", "InvitationStatus", "Response", "ResponseStatus"]

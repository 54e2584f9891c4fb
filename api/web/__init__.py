"""The web app: server-rendered Chinese pages (Jinja2) with a light touch of JavaScript.

Why server-rendered: every page is built from the same engine calls with the same Principal as the API,
so the policy applies unchanged; there is no build step, no Node at run time, and pages work without
JavaScript. ``static/app.js`` adds what needs it (calling the API, showing background progress).

One module per journey; each has a ``router`` listed in ``ROUTERS`` and its entry in ``nav.JOURNEYS``.
"""

from fastapi import APIRouter

from api.web import accounts, chain, deals, demands, events, imports, pages, profile, tiers, trials
from api.web.pages import install

ROUTERS: list[APIRouter] = [
    pages.router,
    demands.router,
    deals.router,
    trials.router,
    profile.router,
    chain.router,
    tiers.router,
    events.router,
    imports.router,
    accounts.router,
]

__all__ = ["ROUTERS", "install"]

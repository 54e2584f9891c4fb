"""matcher：产业园区供需对接引擎。

The engine behind a park's supply-demand matching platform: a registry of parks, enterprises and
demands (``matcher.store``), validated import/export (``matcher.io``), and the matching, chain, tier
and event packages built on them. Surfaces (CLI, REST API, web) call the services of ``matcher.engine``.
"""

__version__ = "0.1.0"

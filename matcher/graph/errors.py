"""Errors of the chain graph, rooted in the project's MatcherError."""

from __future__ import annotations

from matcher.errors import MatcherError, NotFoundError, ValidationError


class GraphError(MatcherError):
    """Something about the chain graph prevents the request."""


class NodeNotFound(GraphError, NotFoundError):
    """A chain, link, product or company is not a node of the graph."""


class TemplateError(GraphError, ValidationError):
    """A chain template file broke a rule; ``problems`` lists each one in Chinese."""


class GraphSourceError(GraphError):
    """A knowledge-graph directory is missing or lacks a required file."""

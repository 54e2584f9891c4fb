"""Dense retrieval: the :class:`Retriever` interface, a NumPy exact reference and FAISS backends.

FAISS is imported only by :mod:`matcher.retrieval.faiss`, and only when a FAISS backend is asked for.
"""

from matcher.retrieval.base import Retriever, SearchResults
from matcher.retrieval.factory import KINDS, load_retriever, make_retriever, resolve_kind
from matcher.retrieval.numpy import NumpyRetriever
from matcher.retrieval.storage import Manifest, read_manifest

__all__ = [
    "KINDS",
    "Manifest",
    "NumpyRetriever",
    "Retriever",
    "SearchResults",
    "load_retriever",
    "make_retriever",
    "read_manifest",
    "resolve_kind",
]

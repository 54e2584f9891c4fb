"""Tokens for the lexical channels: character n-grams (no dictionary needed) and words.

Words come from jieba, whose dictionary ships inside its package (no download at run time); English and
model numbers stay whole tokens (``caustic``, ``pcb``), so mixed Chinese/English demands reach the lexical
side too. Pure digits and punctuation are dropped: in a plan they are quantities and dates, not meaning.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

from matcher.text.normalize import normalize_text

_NOISE = re.compile(r"[\W\d_]+")


def char_ngrams(text: str, sizes: tuple[int, ...] = (1, 2)) -> list[str]:
    """Character n-grams of the normalized text, spaces removed.

    >>> char_ngrams("硫酸铵", (1, 2))
    ['硫', '酸', '铵', '硫酸', '酸铵']
    """
    text = normalize_text(text).replace(" ", "")
    return [text[i : i + n] for n in sizes for i in range(len(text) - n + 1)]


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()  # loads the bundled dictionary once (about 1 s), not on the first query
    return jieba


def words(text: str) -> list[str]:
    """jieba words of the normalized text, without digits, punctuation and spaces.

    >>> words("采购注塑级聚丙烯粒子500吨, caustic soda")
    ['采购', '注塑', '级', '聚丙烯', '粒子', '吨', 'caustic', 'soda']
    """
    return [w for w in _jieba().lcut(normalize_text(text)) if w.strip() and not _NOISE.fullmatch(w)]


@lru_cache(maxsize=1)
def posseg() -> Any:
    """jieba's part-of-speech tagger (``posseg().lcut(text)`` gives words with flags: n noun, v verb …)."""
    _jieba()
    import jieba.posseg

    return jieba.posseg

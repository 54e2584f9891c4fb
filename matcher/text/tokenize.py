"""Chinese tokenization for the lexical channel: character n-grams (no dictionary needed), jieba optional."""

from __future__ import annotations

from matcher.text.normalize import normalize_text


def char_ngrams(text: str, sizes: tuple[int, ...] = (1, 2)) -> list[str]:
    """Character n-grams of the normalized text, spaces removed.

    >>> char_ngrams("硫酸铵", (1, 2))
    ['硫', '酸', '铵', '硫酸', '酸铵']
    """
    text = normalize_text(text).replace(" ", "")
    return [text[i : i + n] for n in sizes for i in range(len(text) - n + 1)]


def jieba_words(text: str) -> list[str]:
    """Words by jieba (search mode), for callers that prefer word tokens; needs the optional ``jieba``."""
    try:
        import jieba
    except ImportError as exc:  # pragma: no cover - optional dependency
        raise ImportError("需要安装 jieba：pip install jieba") from exc
    return [w for w in jieba.lcut_for_search(normalize_text(text)) if w.strip()]

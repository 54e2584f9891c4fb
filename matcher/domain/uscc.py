"""统一社会信用代码 (unified social credit code) per GB 32100-2015.

18 characters from a 31-letter alphabet (digits and upper-case letters without I, O, S, V, Z); the last
is a check character computed from the first 17 with fixed weights, modulo 31.

>>> check_character("91350100M000100Y4")
'3'
>>> uscc_problem("91350100M000100Y43") is None
True
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}


def check_character(body: str) -> str:
    """The check character for the first 17 characters of a code."""
    if len(body) != 17:
        raise ValueError(f"需要 17 位本体代码，收到 {len(body)} 位：{body!r}")
    total = sum(_VALUE[ch] * w for ch, w in zip(body, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalize_uscc(code: str) -> str:
    """Strip blanks and upper-case, as people type codes with spaces and lower case."""
    return "".join(code.split()).upper()


def uscc_problem(code: str) -> str | None:
    """A Chinese description of what is wrong with ``code``, or None if it is valid."""
    code = normalize_uscc(code)
    if not code:
        return "统一社会信用代码为空"
    if len(code) != 18:
        return f"统一社会信用代码应为 18 位，实为 {len(code)} 位（{code}）"
    bad = sorted({ch for ch in code if ch not in _VALUE})
    if bad:
        return f"统一社会信用代码含非法字符 {''.join(bad)}（不得使用 I、O、S、V、Z 及符号）"
    if not code[2:8].isdigit():
        return f"统一社会信用代码第 3-8 位应为行政区划码（6 位数字），实为 {code[2:8]}"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误（{code}：第 18 位应为 {expected}，实为 {code[17]}）"
    return None

"""Certifications plausible for an enterprise's industry and chain link."""

from __future__ import annotations

import random

from matcher.sample.chains import ChainLink

# (industry or "*", GB/T prefixes ("" = any), certification, probability)
RULES: tuple[tuple[str, tuple[str, ...], str, float], ...] = (
    ("*", ("",), "ISO 9001", 0.85),
    ("*", ("",), "ISO 14001", 0.45),
    ("*", ("",), "ISO 45001", 0.3),
    (
        "新能源汽车",
        ("36", "3812", "3841", "3940", "3962", "3972", "3973", "3974", "3976", "3831"),
        "IATF 16949",
        0.85,
    ),
    ("新能源汽车", ("3841",), "UN38.3", 0.6),
    ("新能源汽车", ("3829", "3824"), "CCC 认证", 0.8),
    ("新能源汽车", ("3670", "3962", "6513"), "ISO 26262 功能安全", 0.35),
    ("集成电路", ("3972", "3973", "6520", "3983"), "AEC-Q100", 0.3),
    ("集成电路", ("3972", "3973", "6520", "3983", "3982", "3981"), "IATF 16949", 0.3),
    ("集成电路", ("3985", "3982", "3981"), "QC 080000", 0.45),
    ("集成电路", ("3562",), "SEMI S2", 0.5),
    ("生物医药", ("2710", "2720", "2730", "2740", "2762", "2761"), "药品 GMP", 0.8),
    ("生物医药", ("2710", "2720", "2740", "2762"), "药品生产许可证", 0.7),
    ("生物医药", ("358", "3584", "3586", "3587", "2770"), "ISO 13485", 0.85),
    ("生物医药", ("358",), "医疗器械生产许可证", 0.6),
    ("生物医药", ("358", "3544"), "CE 认证", 0.3),
    ("生物医药", ("7340",), "GLP 认证", 0.5),
    ("生物医药", ("515", "525"), "药品 GSP", 0.9),
    ("光伏", ("3825",), "IEC 61215", 0.8),
    ("光伏", ("3825",), "IEC 61730", 0.7),
    ("光伏", ("3825", "3824", "3839", "3831", "2921", "3041"), "TÜV 认证", 0.5),
    ("光伏", ("3825", "3824"), "CQC 认证", 0.4),
    ("光伏", ("3824",), "UL 认证", 0.3),
    ("工程机械", ("351", "3432", "3433", "3439", "3517", "3511"), "CE 认证", 0.45),
    ("工程机械", ("3432", "3439"), "特种设备生产许可证", 0.7),
    ("工程机械", ("3412",), "非道路移动机械环保信息公开", 0.8),
    ("智能装备", ("3491", "3492", "3421", "3422", "3424", "3493"), "CE 认证", 0.5),
    ("智能装备", ("3491", "3492"), "CR 机器人认证", 0.4),
)
HIGH_TECH = "高新技术企业"


def certifications(rng: random.Random, industry: str, link: ChainLink, *, innovative: bool) -> list[str]:
    """Certifications held: industry rules applied to the link's GB/T code, plus 高新技术企业 if innovative."""
    code = link.gbt or ""
    held = [
        cert
        for ind, prefixes, cert, p in RULES
        if ind in ("*", industry) and any(code.startswith(x) for x in prefixes) and rng.random() < p
    ]
    if innovative and rng.random() < 0.7:
        held.append(HIGH_TECH)
    return list(dict.fromkeys(held))


def required_for(rng: random.Random, industry: str, link: ChainLink) -> list[str]:
    """1-2 certifications a buyer would require from suppliers of ``link`` (industry-specific first)."""
    code = link.gbt or ""
    specific = [c for ind, pre, c, _ in RULES if ind == industry and any(code.startswith(x) for x in pre)]
    pool = list(dict.fromkeys(specific)) or ["ISO 9001"]
    chosen = rng.sample(pool, min(len(pool), rng.randint(1, 2)))
    if "ISO 9001" not in chosen and rng.random() < 0.4:
        chosen.insert(0, "ISO 9001")
    return chosen

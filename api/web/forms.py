"""Turning HTML form fields into the engine's records: lists typed one per line, blanks as "not given"."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from matcher.domain import Demand, Enterprise

_SPLIT = re.compile(r"[\n\r,，;；、]+")
_SHARE = re.compile(r"^(?P<name>.+?)[\s:：]+(?P<pct>\d+(?:\.\d+)?)\s*%$")
DEMAND_TEXT = (
    "kind", "title", "description", "product", "spec", "unit", "problem", "target_indicators",
    "cooperation_mode", "status", "visibility", "code", "publisher_uscc",
)  # fmt: skip
DEMAND_OPTIONAL = ("quantity", "budget_min", "budget_max", "delivery_date", "deadline")
DEMAND_LISTS = ("required_certifications", "preferred_regions")


def split_list(text: str) -> list[str]:
    """ "ISO 9001、IATF 16949" or one per line -> ["ISO 9001", "IATF 16949"]."""
    return [part.strip() for part in _SPLIT.split(text or "") if part.strip()]


def demand_fields(form: Mapping[str, Any]) -> dict[str, Any]:
    """The publish form as ``Publishing.publish_demand`` fields (validation is the engine's)."""
    fields: dict[str, Any] = {k: str(form.get(k, "")).strip() for k in DEMAND_TEXT if k in form}
    for key in DEMAND_OPTIONAL:
        value = str(form.get(key, "")).strip()
        if value:
            fields[key] = value
    for key in DEMAND_LISTS:
        fields[key] = split_list(str(form.get(key, "")))
    return fields


def demand_form_values(record: Demand | None) -> dict[str, str]:
    """A record as the form's text values (for editing, or re-showing after an error)."""
    if record is None:
        return {"kind": "procurement", "status": "open", "visibility": "public"}
    data = record.model_dump(mode="json")
    values = {k: "" if v is None else str(v) for k, v in data.items() if not isinstance(v, list)}
    for key in DEMAND_LISTS:
        values[key] = "、".join(data[key])
    return values


def products_text(record: Enterprise) -> str:
    """Products one per line, with their revenue share where known: "正极材料 60%"."""
    lines = []
    for p in record.products:
        lines.append(p.name if p.share is None else f"{p.name} {round(p.share * 100, 1):g}%")
    return "\n".join(lines)


def parse_products(text: str) -> list[dict[str, Any]]:
    """One product per line, optionally followed by its share of revenue ("正极材料 60%")."""
    products: list[dict[str, Any]] = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        m = _SHARE.match(line)
        if m:
            products.append({"name": m["name"].strip(), "share": float(m["pct"]) / 100})
        else:
            products.append({"name": line})
    return products


def profile_fields(form: Mapping[str, Any]) -> dict[str, Any]:
    """The profile form as ``Publishing.update_profile`` changes."""
    return {
        "products": parse_products(str(form.get("products", ""))),
        "capabilities": str(form.get("capabilities", "")).strip(),
        "certifications": split_list(str(form.get("certifications", ""))),
        "capacity": str(form.get("capacity", "")).strip(),
        "contact": {k: str(form.get(f"contact_{k}", "")).strip() for k in ("person", "phone", "email")},
    }

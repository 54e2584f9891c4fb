"""Text: normalization, the accounting-item filter, demand/offer parsing, profile builders, tokenization."""

from matcher.text.normalize import clean_products, is_accounting_item, normalize_text, product_key
from matcher.text.parse import ParsedText, parse_demand, parse_offer
from matcher.text.profiles import ProfileDoc, as_profile_doc, demand_profile, enterprise_profile

__all__ = [
    "ParsedText",
    "ProfileDoc",
    "as_profile_doc",
    "clean_products",
    "demand_profile",
    "enterprise_profile",
    "is_accounting_item",
    "normalize_text",
    "parse_demand",
    "parse_offer",
    "product_key",
]

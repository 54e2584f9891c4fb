"""Sample data: curated chain templates (validation) and the deterministic sample generator."""

from matcher.sample.chains import ChainLink, ChainTemplate, LinkRef, load_templates
from matcher.sample.generator import Sample, generate_sample
from matcher.sample.validate import keyword_clashes, validate_template

__all__ = [
    "ChainLink",
    "ChainTemplate",
    "LinkRef",
    "Sample",
    "generate_sample",
    "keyword_clashes",
    "load_templates",
    "validate_template",
]

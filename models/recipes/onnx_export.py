"""Export a sentence-transformers model (BERT-style, mean pooling) to ONNX for ``matcher.encoders.onnx``.

The graph takes token ids and the attention mask and returns the mean-pooled, L2-normalized sentence vector,
so the serving process needs only ONNX Runtime and ``tokenizers``. The weights stay float32: int8 (dynamic,
per channel, feed-forward output projections kept float: cosine 0.997 to the float model) cost 0.018 semantic
and 0.010 document MRR through the pipeline for 42 MB and ~8 ms per demand less (``docs/benchmarks-encoders.md``).
The vocabulary is pruned to the scripts matching reads (``pruned_tokenizer``): the saving is in the tokenizer
and the embedding table, and the vectors of Chinese and English texts do not change.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matcher.encoders.onnx import MODEL_FILE, TOKENIZER_FILE, WEIGHTS_FILE

# The characters of the texts matching reads: ASCII and Latin letters, Greek (α, μ, Ω), the punctuation and
# symbol blocks of specifications and documents (° ± ≤ ² ℃ Ⅲ ① ㎡ │ ■), CJK ideographs, CJK punctuation and
# kana. A tokenizer piece made only of these is kept, every other (Cyrillic, Arabic, Devanagari, Thai,
# Hangul, ...: 60 % of XLM-R's 250k pieces) is dropped with its embedding row. A text written in these
# characters is tokenized exactly as before (no dropped piece can match it); another script's letters become
# <unk>. Saves ~170 MB per process in the tokenizer and ~60 MB in the model.
KEPT_BLOCKS = (
    (0x0000, 0x024F), (0x0370, 0x03FF), (0x2000, 0x2BFF), (0x2E80, 0x2FDF), (0x3000, 0x33FF),
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
)  # fmt: skip
SPECIAL = 4  # <s> <pad> </s> <unk>: ids 0-3, kept where they are


def _kept_char(char: str) -> bool:
    code = ord(char)
    return char == "\u2581" or any(low <= code <= high for low, high in KEPT_BLOCKS)  # ▁ marks a word start


def pruned_tokenizer(tokenizer: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
    """A Unigram ``tokenizer.json`` (as a dict) keeping the special tokens and the pieces made of kept
    characters, and the old id of each new id (the embedding rows to keep, in order)."""
    model = tokenizer["model"]
    if model.get("type") != "Unigram" or model.get("unk_id") != SPECIAL - 1:
        raise ValueError("只能裁剪 XLM-R 式的 Unigram 分词器（<unk> 的编号应为 3）")
    kept = [i for i, (piece, _) in enumerate(model["vocab"]) if i < SPECIAL or all(map(_kept_char, piece))]
    new_id = {old: new for new, old in enumerate(kept)}
    pruned = {**tokenizer, "truncation": None, "padding": None}  # the encoder sets its own
    pruned["model"] = {**model, "vocab": [model["vocab"][i] for i in kept]}
    pruned["added_tokens"] = [
        {**token, "id": new_id[token["id"]]} for token in tokenizer["added_tokens"] if token["id"] in new_id
    ]
    return pruned, kept


def export(source: Path, output: Path) -> Path:
    """Write ``output/model.onnx`` and ``output/tokenizer.json`` from the sentence-transformers model ``source``,
    the vocabulary pruned to the kept characters (``pruned_tokenizer``)."""
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(source), device="cpu")
    module = model[0]
    transformer = getattr(module, "auto_model", None) or module.model
    tokenizer, kept = pruned_tokenizer(json.loads((source / TOKENIZER_FILE).read_text(encoding="utf-8")))
    rows = transformer.get_input_embeddings().weight.detach()[torch.tensor(kept)]
    transformer.set_input_embeddings(torch.nn.Embedding.from_pretrained(rows, freeze=True))

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.transformer(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    output.mkdir(parents=True, exist_ok=True)
    ids = torch.tensor([[0, 6, 7, 2], [0, 8, 2, 1]])
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]])
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}}
    with torch.no_grad(), warnings.catch_warnings():
        # the tracer's notes on Python conditions it froze: each holds for any encoder input with a mask
        # (no causal mask, no padding beyond the mask); ``fidelity`` checks the result on real texts
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Pooled().eval(), (ids, mask), str(output / "traced.onnx"),
            input_names=["input_ids", "attention_mask"], output_names=["embedding"],
            dynamic_axes={**axes, "embedding": {0: "batch"}}, opset_version=17, dynamo=False,
        )  # fmt: skip
    import onnx

    # the weights in a file of their own: ONNX Runtime maps it into memory instead of copying it into each
    # process, so every worker shares the page cache's one copy (private memory ~0.1 GB instead of ~0.35 GB)
    graph = onnx.load(str(output / "traced.onnx"))
    onnx.save_model(
        graph, str(output / MODEL_FILE), save_as_external_data=True, all_tensors_to_one_file=True,
        location=WEIGHTS_FILE, size_threshold=1024,
    )  # fmt: skip
    (output / "traced.onnx").unlink()
    (output / WEIGHTS_FILE).chmod(0o644)  # onnx writes it owner-only; a server may run as another user
    text = json.dumps(tokenizer, ensure_ascii=False)
    (output / TOKENIZER_FILE).write_text(text, encoding="utf-8")
    return output / MODEL_FILE


def fidelity(source: Path, exported: Path, texts: Sequence[str], prefix: str = "") -> tuple[float, float]:
    """(minimum, mean) cosine between the exported model's vectors and the source model's on ``texts``."""
    from sentence_transformers import SentenceTransformer

    from matcher.encoders.onnx import OnnxEncoder

    reference = SentenceTransformer(str(source), device="cpu")
    expected = reference.encode([prefix + t for t in texts], normalize_embeddings=True, batch_size=32)
    dim = int(expected.shape[1])
    got = OnnxEncoder(exported, model_id="check", dim=dim, document_prefix=prefix).encode(list(texts))
    cosines = (got * expected).sum(axis=1)
    return float(cosines.min()), float(cosines.mean())

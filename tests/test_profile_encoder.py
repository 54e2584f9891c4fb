"""A second encoder for the whole-demand ↔ company-profile channel (``Settings.profile_encoder``)."""

import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from matcher.encoders import factory
from matcher.encoders.base import encode_queries
from matcher.encoders.fake import FakeEncoder
from matcher.errors import MatcherError
from matcher.ranking.core import MatchCore
from matcher.ranking.layered import LayeredCore, delta_core
from matcher.settings import Settings
from matcher.text.profiles import ProfileDoc, enterprise_profile
from tests.conftest import shared_path
from tests.test_ranking_core import POOL  # the same five firms

DEMAND = "我们的管道在冬季低温下开裂，希望找到耐低温的塑料管材供应商"
MAIN, PROFILE = FakeEncoder(256), FakeEncoder(64, ngram_sizes=(2,))  # two spaces, two sizes


def _profile_cosines(docs: list[ProfileDoc], focus: str) -> np.ndarray:
    query = encode_queries(PROFILE, [focus])[0]
    return PROFILE.encode([enterprise_profile(d) for d in docs]) @ query


def test_profiles_and_the_focus_are_embedded_by_the_profile_encoder() -> None:
    core = MatchCore(MAIN, profile_encoder=PROFILE).fit(POOL)
    assert core.semantic_.profiles_vec is not None and core.semantic_.profiles_vec.shape == (5, 64)
    queries, channels = core.search_channels(DEMAND)
    expected = _profile_cosines(POOL, queries[0].text)
    np.testing.assert_allclose(channels[0]["dense_profile"], expected, rtol=1e-5, atol=1e-6)
    same = MatchCore(MAIN).fit(POOL)  # without one, the main encoder's space (and its product channel)
    _, before = same.search_channels(DEMAND)
    assert same.semantic_.profiles_vec is not None and same.semantic_.profiles_vec.shape == (5, 256)
    assert not np.allclose(before[0]["dense_profile"], channels[0]["dense_profile"])
    np.testing.assert_allclose(before[0]["dense_product"], channels[0]["dense_product"])


def test_candidate_search_and_an_updated_pool_score_profiles_alike() -> None:
    exhaustive = MatchCore(MAIN, profile_encoder=PROFILE).fit(POOL)
    candidates = MatchCore(MAIN, profile_encoder=PROFILE, search="candidates").fit(POOL)
    want = exhaustive.rank_suppliers(DEMAND)
    got = candidates.rank_suppliers(DEMAND)
    np.testing.assert_allclose(got.channels["dense_profile"], want.channels["dense_profile"], rtol=1e-5)
    np.testing.assert_allclose(got.scores, want.scores, rtol=1e-6)
    # C changed: its delta row is scored by the profile encoder too (a wrong space would not even line up)
    changed = ProfileDoc("C", "丙管业", (("PE管", 0.9), ("管件", 0.1)))
    main = MatchCore(MAIN, profile_encoder=PROFILE).fit(POOL)
    layered = LayeredCore(main, delta_core(main, [changed]), np.array([False, False, True, False, False]))
    ranking = layered.rank_suppliers(DEMAND)
    focus = main.search_channels(DEMAND)[0][0].text
    assert ranking.channels["dense_profile"][5] == pytest.approx(
        _profile_cosines([changed], focus)[0], rel=1e-5
    )


def test_settings_name_the_profile_encoder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog) -> None:
    assert factory.profile_encoders(Settings(encoder="fake", profile_encoder="same")) is None
    assert factory.profile_encoders(Settings(encoder="fake", profile_encoder="fake")) is None  # the main one
    monkeypatch.setattr(factory, "E5_GRAPH_DIR", tmp_path / "e5-graph")  # not built here
    with caplog.at_level(logging.WARNING, logger="matcher.encoders.factory"):
        assert factory.profile_encoders(Settings(encoder="fake", profile_encoder="e5-graph")) is None
    assert "e5-graph 尚未构建" in caplog.text and "主编码器 fake" in caplog.text
    with pytest.raises(MatcherError, match="e5-graph 尚未构建"):
        factory.get_encoder("e5-graph")


def test_graph_model_tag_follows_its_inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "models" / "recipes"))
    import graph_model

    graph, base = tmp_path / "graph", tmp_path / "base.json"
    graph.mkdir()
    (graph / "product_product.json").write_text('{"a": 1}\n', encoding="utf-8")
    base.write_text('{"sha256": "x"}', encoding="utf-8")
    first = graph_model.tag(graph, base)
    assert graph_model.tag(graph, base) == first
    (graph / "product_product.json").write_text('{"a": 2}\n', encoding="utf-8")
    assert graph_model.tag(graph, base) != first
    monkeypatch.setitem(graph_model.PARAMS, "max_pairs", 10)
    changed = graph_model.tag(graph, base)
    out = tmp_path / "model"
    out.mkdir()
    (out / graph_model.RECORD).write_text(f'{{"tag": "{changed}"}}', encoding="utf-8")
    assert graph_model.is_current(changed, out) and not graph_model.is_current(first, out)
    monkeypatch.setenv("MATCHER_CHAIN_GRAPH_DIR", str(graph))
    assert graph_model.graph_dir() == graph


@pytest.mark.slow
def test_built_graph_model_embeds_as_e5() -> None:
    if not factory.built("e5-graph"):
        pytest.skip("models/e5-graph 未构建（需要产业链知识图谱）：运行 python models/recipes/build.py")
    encoder = factory.get_encoder("e5-graph")
    assert encoder.model_id.startswith("e5-graph-") and len(encoder.model_id) == len("e5-graph-") + 12
    docs = encoder.encode(["磷酸铁锂正极材料", "白酒"])
    query = encode_queries(encoder, ["采购锂电池正极材料"])[0]
    assert docs.shape == (2, 384) and docs[0] @ query > docs[1] @ query


@pytest.mark.slow
def test_served_graph_model_is_the_trained_one_without_torch() -> None:
    """The ONNX export (int8) that matching loads gives the trained model's vectors, and loading and using
    it imports no PyTorch (the per-process memory it saves)."""
    if not factory.built("e5-graph"):
        pytest.skip("models/e5-graph 未构建（需要产业链知识图谱）：运行 python models/recipes/build.py")
    from sentence_transformers import SentenceTransformer

    texts = ["采购一批耐低温增韧的改性塑料粒子，用于冬季户外设备外壳", "Looking for 6061-T6 aluminum extrusion",
             "磷酸铁锂正极材料、三元前驱体、电解液", "高纯氧化铝粉体"]  # fmt: skip
    served = encode_queries(factory.get_encoder("e5-graph"), texts)
    trained = SentenceTransformer(str(factory.E5_GRAPH_DIR), device="cpu")
    expected = trained.encode(["query: " + t for t in texts], normalize_embeddings=True)
    assert (served * expected).sum(axis=1).min() > 0.99
    probe = (
        "import sys; from matcher.encoders.factory import get_encoder; from matcher.encoders.base import "
        "encode_queries; encode_queries(get_encoder('e5-graph'), ['高纯氧化铝粉体']); "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_profiles_of_their_own_encoder_are_indexed_here_even_with_ray(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The Ray shards hold the main encoder's profile vectors: another space must not be searched there."""
    from matcher.retrieval import candidates

    core = MatchCore(MAIN, profile_encoder=PROFILE).fit(POOL)
    engines: dict[str, str] = {}
    monkeypatch.setattr(candidates, "_ann", lambda v, s, role, keys: engines.setdefault(role, s.dense_engine))
    ray = Settings(dense_engine="ray")
    candidates.CandidateIndex(core.supplier_, core.semantic_, 10, ray, own_profiles=True)
    assert engines == {"names": "ray", "profiles": "local"}
    engines.clear()
    candidates.CandidateIndex(core.supplier_, core.semantic_, 10, ray)
    assert engines == {"names": "ray", "profiles": "ray"}


def test_profile_evidence_is_measured_against_the_demands_own_baseline() -> None:
    core = MatchCore(MAIN, profile_encoder=PROFILE).fit(POOL)
    queries, channels = core.search_channels("长期采购PVC管和管件")  # shares bigrams with C's profile only
    focus = core.foci([queries[0].text])[0]
    assert focus is not None and core.profile_sample_ is not None
    base = np.percentile(core.profile_sample_ @ focus.profiles, 99.0)
    expected = np.clip((channels[0]["dense_profile"] - base) / (1 - base), 0, 1)
    np.testing.assert_allclose(channels[0]["profile"], expected, atol=1e-9)
    best = int(np.argmax(channels[0]["profile"]))
    assert best == 2 and channels[0]["profile"][best] > 0  # above the 99th percentile of the five
    ranking = core.rank_suppliers("长期采购PVC管和管件")
    _, _, shown = core.supplier_match(best, ranking)
    assert shown["profile"] == pytest.approx(ranking.channels["profile"][best], abs=1e-4)


def test_profile_evidence_counts_half_and_says_what_it_is() -> None:
    from matcher.ranking.explain import supplier_reason
    from matcher.ranking.relevance import SUPPLIER_EVIDENCE, relevance

    only_profile = {"exact": 0.0, "lexical": 0.0, "dense": 0.0, "text": 0.0, "profile": 1.0}
    assert relevance(only_profile, 0.4, SUPPLIER_EVIDENCE) == 50.0
    assert relevance({**only_profile, "profile": 0.0}, 0.4, SUPPLIER_EVIDENCE) == 0.0
    reason = supplier_reason(["耐低温管材"], "耐低温管材", "PE管", {**only_profile, "profile": 0.6})
    assert reason.summary == "对方主营“PE管”；其主营业务整体与需求描述相近，能否供应所需的“耐低温管材”待确认"
    assert "业务整体与需求的相近度 0.60" in reason.details


@pytest.mark.slow
def test_pruned_vocabulary_tokenizes_chinese_and_english_as_the_trained_model() -> None:
    """The served tokenizer keeps only Chinese, Latin and symbol pieces: every product name of the dev pool
    and mixed spec texts split into the same pieces as with the trained model's full vocabulary."""
    if not factory.built("e5-graph"):
        pytest.skip("models/e5-graph 未构建（需要产业链知识图谱）：运行 python models/recipes/build.py")
    from tokenizers import Tokenizer

    from matcher.evaluation.harness import read_jsonl

    served = Tokenizer.from_file(str(factory.E5_GRAPH_DIR / factory.SERVED / "tokenizer.json"))
    trained = Tokenizer.from_file(str(factory.E5_GRAPH_DIR / "tokenizer.json"))
    for tokenizer in (served, trained):
        tokenizer.no_padding()
        tokenizer.no_truncation()
    assert served.get_vocab_size() < trained.get_vocab_size() * 0.6
    texts = ["query: 工作温度-40℃~85℃，精度±0.5%，符合AEC-Q200、IATF 16949", "passage: Ⅲ类医疗器械 ① 316L不锈钢 ㎡",
             "query: Looking for 6061-T6 aluminum extrusion profiles, μm tolerance ≤ 5"]  # fmt: skip
    texts += [p["name"] for r in read_jsonl(shared_path("eval", "corpus.jsonl")) for p in r["products"]]
    unknown = served.token_to_id("<unk>")  # an unknown span keeps its text as the token: compare ids too
    for a, b in zip(served.encode_batch(texts), trained.encode_batch(texts), strict=True):
        assert a.tokens == b.tokens and [i == unknown for i in a.ids] == [i == unknown for i in b.ids]
    # another script is not in the served vocabulary
    assert unknown in served.encode("Поставщик алюминия").ids
    assert unknown not in trained.encode("Поставщик алюминия").ids


@pytest.mark.slow
def test_demands_are_encoded_on_one_thread_by_the_same_model(tmp_path: Path) -> None:
    """The profile model's demand side is a one-thread session sharing the tokenizer: the same vectors."""
    if not factory.built("e5-graph"):
        pytest.skip("models/e5-graph 未构建（需要产业链知识图谱）：运行 python models/recipes/build.py")
    from matcher.encoders.onnx import OnnxEncoder

    pair = factory.profile_encoders(Settings(encoder="fake", profile_encoder="e5-graph", home=tmp_path))
    assert pair is not None
    cached, for_demands = pair
    assert isinstance(for_demands, OnnxEncoder) and for_demands.threads == 1
    texts = ["采购耐低温增韧改性塑料粒子", "Looking for 6061-T6 aluminum extrusion profiles"]
    expected = encode_queries(cached, texts)
    np.testing.assert_allclose(encode_queries(for_demands, texts), expected, atol=1e-5)
    assert for_demands._tokenizer is cached.encoder._tokenizer  # one tokenizer in memory

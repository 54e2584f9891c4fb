"""One settings object, read once from the environment (``MATCHER_*``) or a settings file.

Example::

    MATCHER_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test matcher demo

A settings file (TOML-free ``KEY=value`` lines, dotenv style) can be named by ``MATCHER_SETTINGS_FILE``.
Bad values are refused at start with the offending value quoted.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
MODELS_DIR = REPO_ROOT / "models"


def _default_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "matcher"


class Settings(BaseSettings):
    """Everything configurable about matcher, with embedded defaults that work on a fresh machine."""

    model_config = SettingsConfigDict(
        env_prefix="MATCHER_",
        env_file=os.environ.get("MATCHER_SETTINGS_FILE"),
        env_file_encoding="utf-8",
        extra="ignore",
    )

    home: Path = Field(default_factory=_default_home, description="索引、缓存与模型文件所在目录")
    database_url: str = Field(default="", description="SQLAlchemy URL；留空则使用 home 下的 SQLite 文件")
    encoder: str = Field(
        default="use-m3", description="编码器名称：use-m3 / e5-small / minilm / fake / 本地路径"
    )
    encoder_device: str = "cpu"
    profile_encoder: str = Field(
        default="e5-graph",
        description="供应商检索中“整段需求 ↔ 企业画像”通道的编码器：e5-graph（e5-small 以产业链图谱微调，"
        "setup 时构建；未构建时改用主编码器并记日志）/ same（与 encoder 相同）/ 其他编码器名称",
    )
    chain_graph_dir: Path | None = Field(
        default=None,
        description="产业链知识图谱目录（ChainKnowledgeGraph：product_product.json、industry_up.json）；"
        "留空则用内置产业链模板。买方推荐与 matcher eval 使用同一设置",
    )
    supplier_search: Literal["auto", "candidates", "exhaustive"] = Field(
        default="auto",
        description="供应商检索与中小企业推荐：exhaustive 对全部企业精确打分（参照）；candidates 先由向量索引与"
        "倒排索引取候选企业、再以相同通道与融合精确打分；auto 在企业数达到 candidates_from 时用 candidates",
    )
    candidates_from: int = Field(
        default=20_000,  # bench_candidates.py speed at 20k: 2.7x faster, top-10 recall 0.98+ (README)
        ge=0,
        description="supplier_search=auto 时，匹配池企业数达到此值改用候选路径（更小的池全量打分已足够快）",
    )
    candidate_depth: int = Field(
        default=300,
        ge=300,  # rank fusion reads each channel's first 200 ranks, 300 for buyers: candidates must hold them
        le=5000,
        description="候选生成时每个通道取的前若干名（产品名称或企业），不少于排序融合读取的 300 名",
    )
    dense_engine: Literal["local", "ray"] = Field(
        default="local",
        description="候选检索的向量索引：local 在本进程内建立；ray 查询 Ray Serve 上的分片索引"
        "（matcher index build 与 matcher index serve 部署，需 MATCHER_SUPPLIER_SEARCH=candidates）",
    )
    ray_address: str = Field(
        default="", description="Ray 集群地址（如 ray://10.0.0.5:10001）；留空则连接本机集群"
    )
    retriever: Literal["auto", "exact", "faiss-flat", "faiss-hnsw", "faiss-ivf", "numpy"] = "auto"
    exact_threshold: int = Field(default=200_000, gt=0, description="低于此规模使用精确检索")
    hnsw_m: int = Field(default=32, gt=0)
    hnsw_ef_construction: int = Field(
        default=160, gt=0, description="HNSW 建图宽度（越大召回越高、建索引越慢）"
    )
    hnsw_ef_search: int = Field(
        default=512, gt=0
    )  # 1M clustered vectors: recall@10 0.878 at 512, 0.682 at 128
    ivf_nprobe: int = Field(
        default=0, ge=0, description="IVF 每次检索的倒排表数；0 = 按表数自动（每 16 个表检索 1 个）"
    )
    # Soft boosts added to a match score (named terms; 0 turns one off)
    boost_same_park: float = Field(default=0.05, ge=0, le=1, description="同园区加分")
    boost_same_region: float = Field(default=0.03, ge=0, le=1, description="同省（市）加分")
    boost_chain: float = Field(default=0.08, ge=0, le=1, description="产业链上下游相邻加分")
    # Relevance floor on the 0-100 scale (matcher.ranking.relevance), chosen with benchmarks/bench_relevance.py
    relevance_floor: float = Field(
        default=10.0, ge=0, le=100, description="相关度下限（0-100）：低于此值不列为候选"
    )
    pool_background_refit: int = Field(
        default=20_000,
        ge=0,
        description="匹配池达到此企业数时，企业库变更后在后台重建匹配池，期间用旧池应答（更小的池当场重建）",
    )
    pool_recheck_seconds: float = Field(
        default=5.0, gt=0, le=3600, description="每隔多少秒完整检查一次企业库是否有未记入变更日志的修改"
    )
    pool_poll_seconds: float = Field(
        default=0.5,
        ge=0,
        le=60,
        description="每隔多少秒读取一次企业变更日志，把其他进程的修改按企业编号更新进匹配池",
    )
    pool_delta_limit: int = Field(
        default=500,
        ge=0,
        description="匹配池按编号更新的企业超过此数时，在后台完整重建匹配池（期间照常应答，建成后整体替换）",
    )
    pool_snapshot_from: int = Field(
        default=20_000,
        ge=0,
        description="匹配池达到此企业数时，完整建池后保存其企业记录，重启时据此映射已建索引并按变更日志更新，不再整体重建",
    )
    warm_pool_at: int = Field(
        default=5_000, ge=0, description="企业库达到此企业数时，服务进程在接收请求前先建立匹配池"
    )
    ranking_cache_size: int = Field(
        default=512,
        ge=1,
        le=1_000_000,
        description="每个匹配池记住的需求文本排序结果数（最近最少使用者淘汰）",
    )
    search_cache_size: int = Field(
        default=2048, ge=1, le=1_000_000, description="每个匹配池记住的供应商检索结果数（最近最少使用者淘汰）"
    )
    graph_neighbour_cache_size: int = Field(
        default=4096,
        ge=0,
        le=1_000_000,
        description="中小企业推荐（候选检索）记住的图谱产品近邻名单数（最近最少使用者淘汰；0 = 不记）",
    )

    # Log-in protection (matcher.auth.throttle, matcher.auth.passwords)
    password_hash_concurrency: int = Field(
        default=4, ge=1, le=64, description="同时进行的密码哈希计算上限（每次约 64 MiB 内存）"
    )
    login_max_failures: int = Field(default=5, ge=1, le=100, description="同一账号连续失败多少次后开始锁定")
    login_max_address_failures: int = Field(
        default=20, ge=1, le=10_000, description="同一来源地址连续失败多少次后开始锁定"
    )
    login_lockout_seconds: float = Field(
        default=30, gt=0, le=3600, description="首次锁定秒数；此后每次失败翻倍，最长 15 分钟"
    )

    @field_validator("database_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        if value and "://" not in value:
            raise ValueError(
                f"MATCHER_DATABASE_URL 不是有效的数据库 URL：{value!r}（例如 sqlite:///matcher.db）"
            )
        return value

    @field_validator("chain_graph_dir")
    @classmethod
    def _check_graph(cls, value: Path | None) -> Path | None:
        if value is not None and not (value / "product_product.json").is_file():
            raise ValueError(
                f"MATCHER_CHAIN_GRAPH_DIR 不是产业链知识图谱目录：{str(value)!r}（缺少 product_product.json）"
            )
        return value

    @property
    def resolved_database_url(self) -> str:
        """The store URL: the configured one, or a SQLite file under ``home``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'matcher.db'}"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def shards_dir(self) -> Path:
        """Where ``matcher index build`` writes index shards and ``matcher index serve`` reads them."""
        return self.home / "shards"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def ranker_path(self) -> Path:
        """The learned ranker's file (``matcher train-ranker``); absent: the hand-set weights alone."""
        return self.home / "ranker.json"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()

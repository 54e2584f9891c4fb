"""The web app's map: the journeys each role has, in the order its navigation shows them.

A journey page is added by writing its route and template and setting ``href`` (and ``ready=True``) here;
the navigation and the role's home page pick it up. Roles come from ``matcher.auth.AccountRole``; what a
role may actually see is still decided by ``matcher.auth.policy`` on every request.
"""

from __future__ import annotations

from dataclasses import dataclass

from matcher.auth.principal import AccountRole

R = AccountRole


@dataclass(frozen=True, slots=True)
class Journey:
    key: str
    title: str
    summary: str
    roles: frozenset[AccountRole]
    href: str = ""
    ready: bool = False


JOURNEYS: tuple[Journey, ...] = (
    Journey(
        "demands",
        "需求发布",
        "发布采购计划或科技创新需求，设置可见范围（公开、园区内、仅本企业），随时关闭。",
        frozenset({R.LEADING_USER, R.PARK_ADMIN, R.PLATFORM_ADMIN}),
        href="/demands",
        ready=True,
    ),
    Journey(
        "candidates",
        "候选供应商",
        "查看每条需求的候选供应商及推荐理由，加入入围名单或淘汰。",
        frozenset({R.LEADING_USER, R.PARK_ADMIN, R.PLATFORM_ADMIN}),
        href="/candidates",
        ready=True,
    ),
    Journey(
        "deals",
        "揭榜与洽谈",
        "本企业对需求的响应（揭榜）与收到的洽谈邀请；双方同意后互相可见联系方式。",
        frozenset({R.SME_USER, R.LEADING_USER}),
        href="/deals",
        ready=True,
    ),
    Journey(
        "trials",
        "先试首用",
        "创新产品（首台套/首批次/首版次）登记、龙头企业试用申请、试用方案与结果、采用；园区试用与采用统计。",
        frozenset({R.SME_USER, R.LEADING_USER, R.PARK_ADMIN, R.PLATFORM_ADMIN}),
        href="/trials",
        ready=True,
    ),
    Journey(
        "profile",
        "企业档案",
        "维护本企业的产品、能力、资质与联系方式（联系方式仅本企业与园区可见）。",
        frozenset({R.SME_USER, R.LEADING_USER}),
        href="/profile",
        ready=True,
    ),
    Journey(
        "recommendations",
        "推荐采购方",
        "按产品与能力匹配的龙头企业及其公开需求，附推荐理由。",
        frozenset({R.SME_USER}),
        href="/recommendations",
        ready=True,
    ),
    Journey(
        "events",
        "对接会",
        "创建对接会，审核入围名单，自动排程洽谈，导出日程与名单。",
        frozenset({R.ORGANIZER, R.PARK_ADMIN, R.PLATFORM_ADMIN}),
        href="/events",
        ready=True,
    ),
    Journey(
        "chain",
        "产业链图谱",
        "园区产业链地图、薄弱与缺失环节、招商方向。",
        frozenset({R.PARK_ADMIN, R.PLATFORM_ADMIN, R.ORGANIZER, R.LEADING_USER}),
        href="/chain",
        ready=True,
    ),
    Journey(
        "tiers",
        "梯度培育",
        "创新型中小企业—专精特新—小巨人—单项冠军金字塔与培育梯队、差距分析。",
        frozenset({R.PARK_ADMIN, R.PLATFORM_ADMIN}),
        href="/tiers",
        ready=True,
    ),
    Journey(
        "imports",
        "数据导入导出",
        "上传 CSV / Excel 登记园区、企业与需求，后台执行并显示进度；导出名单。",
        frozenset({R.PLATFORM_ADMIN}),
        href="/imports",
        ready=True,
    ),
    Journey(
        "accounts",
        "账号与审计",
        "新建账号，分配角色与企业或园区，停用、重置密码、管理 API 密钥；查看审计日志。",
        frozenset({R.PLATFORM_ADMIN}),
        href="/accounts",
        ready=True,
    ),
)


def journeys_for(role: AccountRole) -> list[Journey]:
    return [j for j in JOURNEYS if role in j.roles]

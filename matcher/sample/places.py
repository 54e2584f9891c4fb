"""Invented parks and real administrative divisions (GB/T 2260 codes) for the sample data.

The parks are fictional; provinces, cities, districts and their 6-digit codes are real, so the region
part of a generated 统一社会信用代码 (characters 3-8) looks like one issued there.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Place:
    province: str
    city: str
    district: str
    code: str  # GB/T 2260 district code

    @property
    def city_code(self) -> str:
        return self.code[:4] + "00"


@dataclass(frozen=True, slots=True)
class ParkSpec:
    name: str
    short: str  # two letters for demand codes
    place: Place
    industries: tuple[str, ...]
    preferred_regions: tuple[str, ...]  # provinces nearby, for demands


PARKS: tuple[ParkSpec, ...] = (
    ParkSpec(
        "江南新能源与集成电路产业园",
        "JN",
        Place("江苏省", "苏州市", "吴江区", "320509"),
        ("新能源汽车", "集成电路", "光伏"),
        ("江苏省", "浙江省", "上海市", "安徽省"),
    ),
    ParkSpec(
        "长江生物医药产业园",
        "CJ",
        Place("湖北省", "武汉市", "江夏区", "420115"),
        ("生物医药", "集成电路", "智能装备"),
        ("湖北省", "湖南省", "江西省", "河南省"),
    ),
    ParkSpec(
        "湘江高端装备产业园",
        "XJ",
        Place("湖南省", "长沙市", "长沙县", "430121"),
        ("工程机械", "智能装备", "新能源汽车"),
        ("湖南省", "湖北省", "广东省", "江西省"),
    ),
)

# Where enterprises outside the parks are registered (recruitment candidates).
OUTSIDE: tuple[Place, ...] = (
    Place("广东省", "深圳市", "南山区", "440305"),
    Place("广东省", "深圳市", "宝安区", "440306"),
    Place("广东省", "广州市", "黄埔区", "440112"),
    Place("浙江省", "宁波市", "北仑区", "330206"),
    Place("浙江省", "杭州市", "余杭区", "330110"),
    Place("上海市", "上海市", "浦东新区", "310115"),
    Place("安徽省", "合肥市", "蜀山区", "340104"),
    Place("四川省", "成都市", "双流区", "510116"),
    Place("山东省", "青岛市", "黄岛区", "370211"),
    Place("江西省", "宜春市", "袁州区", "360902"),
    Place("北京市", "北京市", "海淀区", "110108"),
    Place("江苏省", "无锡市", "新吴区", "320214"),
    Place("江苏省", "常州市", "武进区", "320412"),
    Place("福建省", "宁德市", "蕉城区", "350902"),
    Place("陕西省", "西安市", "长安区", "610116"),
    Place("湖南省", "株洲市", "天元区", "430211"),
    Place("天津市", "天津市", "滨海新区", "120116"),
    Place("重庆市", "重庆市", "渝北区", "500112"),
)

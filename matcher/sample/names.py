"""Plausible Chinese enterprise names, contact persons and valid 统一社会信用代码.

Names follow the registered pattern 地名 + 字号 + 行业词 + 组织形式 (``苏州瑞晶新材料科技有限公司``);
codes are ``91`` (工商登记的企业) + a real district code + a 9-character organization code carrying its own
GB 11714 check digit + the GB 32100 check character, so they pass every validator a real system applies.
"""

from __future__ import annotations

import random

from matcher.domain.uscc import ALPHABET, check_character

BRAND_CHARS = (
    "恒瑞华晶芯博康泰锐宏鼎盛德远凯迈赛睿航拓启正联信汇源达诚宇嘉立英精创卓昊沃旭昌磐微景骏弘腾翔"
    "中天海科金合佳安明新光润峰越祥辰"
)

# Industry word by GB/T 4754 class or division prefix (longest prefix wins).
INDUSTRY_WORDS: dict[str, tuple[str, ...]] = {
    "09": ("矿业", "资源"),
    "10": ("矿业", "石英材料"),
    "01": ("中药材", "本草"),
    "25": ("炭素材料", "新材料"),
    "26": ("化学", "化工", "新材料"),
    "27": ("药业", "生物医药", "制药"),
    "2761": ("生物技术", "生物医药"),
    "2762": ("生物制品", "生物技术"),
    "29": ("塑胶", "新材料"),
    "30": ("新材料", "石英"),
    "3041": ("玻璃", "光能玻璃"),
    "31": ("特钢", "钢铁"),
    "32": ("有色金属", "金属材料"),
    "33": ("金属制品", "精密制造"),
    "34": ("机械", "精密机械", "动力"),
    "3444": ("液压", "液压件"),
    "3451": ("轴承", "精工"),
    "3453": ("传动", "齿轮"),
    "35": ("装备", "重工", "机械"),
    "3544": ("制药装备", "制药机械"),
    "3562": ("半导体装备", "微电子装备"),
    "358": ("医疗器械", "医疗科技"),
    "36": ("汽车部件", "汽车科技"),
    "3612": ("汽车", "新能源汽车"),
    "38": ("电气", "电机", "能源科技"),
    "3841": ("新能源", "电池"),
    "3825": ("光伏", "光能"),
    "3824": ("电力电子", "电气"),
    "39": ("电子", "光电"),
    "397": ("半导体", "微电子"),
    "40": ("仪器", "测控", "自动化"),
    "42": ("再生资源", "循环科技"),
    "43": ("再制造", "装备服务"),
    "44": ("新能源", "光伏电力"),
    "48": ("能源工程",),
    "51": ("医药", "医药物流"),
    "52": ("大药房",),
    "65": ("信息技术", "软件", "智能科技"),
    "6520": ("微电子", "集成电路设计"),
    "71": ("设备租赁", "融资租赁"),
    "72": ("供应链管理",),
    "73": ("医药研究", "技术研究"),
    "74": ("检测技术", "质量技术"),
    "75": ("科技服务", "技术转移"),
    "77": ("环保科技", "环境技术"),
}
NEEDS_KEJI = ("新材料", "生物", "能源", "环境", "环保", "电子", "光电", "医疗", "微电子", "半导体")

SURNAMES = (
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("黄", "huang"),
    ("赵", "zhao"),
    ("吴", "wu"),
    ("周", "zhou"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("马", "ma"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("何", "he"),
    ("林", "lin"),
    ("高", "gao"),
    ("罗", "luo"),
    ("郑", "zheng"),
    ("梁", "liang"),
    ("谢", "xie"),
    ("宋", "song"),
    ("唐", "tang"),
    ("韩", "han"),
    ("冯", "feng"),
    ("邓", "deng"),
    ("曹", "cao"),
    ("彭", "peng"),
)
GIVEN = (
    ("伟", "wei"),
    ("芳", "fang"),
    ("敏", "min"),
    ("静", "jing"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("军", "jun"),
    ("洋", "yang"),
    ("勇", "yong"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("建华", "jianhua"),
    ("志强", "zhiqiang"),
    ("晓东", "xiaodong"),
    ("海燕", "haiyan"),
    ("文博", "wenbo"),
    ("思远", "siyuan"),
    ("浩然", "haoran"),
    ("佳琪", "jiaqi"),
    ("雪梅", "xuemei"),
    ("国栋", "guodong"),
    ("丽娟", "lijuan"),
    ("振宇", "zhenyu"),
    ("晨", "chen"),
)

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_VALUE = {ch: i for i, ch in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}


def industry_word(rng: random.Random, code: str) -> str:
    for n in (4, 3, 2):
        if code[:n] in INDUSTRY_WORDS:
            return rng.choice(INDUSTRY_WORDS[code[:n]])
    return "科技"


def company_name(rng: random.Random, city: str, code: str, *, listed: bool) -> tuple[str, str]:
    """A (full name, 字号) pair such as ``("苏州瑞晶新材料科技有限公司", "瑞晶")``."""
    brand = "".join(rng.sample(BRAND_CHARS, 2))
    word = industry_word(rng, code)
    prefix = city.removesuffix("市") if rng.random() < 0.6 else ""
    keji = "科技" if any(k in word for k in NEEDS_KEJI) and not word.endswith("科技") else ""
    if listed:
        form = rng.choice(("股份有限公司", "集团股份有限公司", "股份有限公司"))
    else:
        form = rng.choice(("有限公司", "有限公司", "有限公司", "股份有限公司"))
    return f"{prefix}{brand}{word}{keji}{form}", brand


def org_code(rng: random.Random, *, recent: bool) -> str:
    """A 9-character GB 11714 organization code: 8 characters and their check digit."""
    letters = [ch for ch in ALPHABET if ch.isdigit() or ch in "ABCDEFGHJKLMNPQRTUWXY"]
    if recent:  # codes issued since 2015 start with MA
        body = "MA" + "".join(rng.choice(letters) for _ in range(6))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    total = sum(_ORG_VALUE[ch] * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(rng: random.Random, region: str, *, recent: bool) -> str:
    """A valid 统一社会信用代码 for an enterprise registered in ``region`` (6-digit code)."""
    body = "91" + region + org_code(rng, recent=recent)
    return body + check_character(body)


def contact(rng: random.Random, serial: int) -> tuple[str, str, str]:
    """(person, masked mobile number, example.com e-mail): plausible and obviously fake."""
    surname, s_py = rng.choice(SURNAMES)
    given, g_py = rng.choice(GIVEN)
    phone = f"1{rng.choice('35789')}{rng.randrange(10)}****{rng.randrange(10_000):04d}"
    return f"{surname}{given}", phone, f"{g_py}.{s_py}{serial:03d}@example.com"

"""Import: templates load; every broken file is refused whole with one Chinese message per problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_uscc

from matcher.errors import ImportRefusedError
from matcher.io import import_file
from matcher.io.exporter import render
from matcher.store import Store
from matcher.store import repository as repo

TEMPLATES = Path(__file__).resolve().parent.parent / "data" / "templates"


def snapshot(store: Store) -> bytes:
    """Everything in the store, as one XLSX-independent byte string."""
    from matcher.io.exporter import load_records

    return b"".join(render({k: load_records(store, k)}, "jsonl") for k in ("parks", "enterprises", "demands"))  # type: ignore[dict-item]


def load_templates(store: Store) -> None:
    for name in ("parks.csv", "enterprises.csv", "demands.csv"):
        import_file(store, TEMPLATES / name)


def template_text(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8-sig")


def refused(store: Store, path: Path) -> list[str]:
    before = snapshot(store)
    with pytest.raises(ImportRefusedError) as info:
        import_file(store, path)
    assert snapshot(store) == before, "a refused import must leave the store unchanged"
    return info.value.problems


def test_templates_import_into_an_empty_store(store: Store) -> None:
    load_templates(store)
    with store.session() as s:
        assert [p.name for p in repo.list_parks(s)] == ["示例新能源产业园"]
        assert len(repo.list_enterprises(s)) == 2
        assert {d.record.code for d in repo.list_demands(s)} == {"XQ-2025-0001", "XQ-2025-0002"}


def test_reimport_upserts_instead_of_duplicating(store: Store, tmp_path: Path) -> None:
    load_templates(store)
    changed = template_text("enterprises.csv").replace("示例正极材料科技有限公司", "示例正极材料股份有限公司")
    (tmp_path / "e.csv").write_text(changed, encoding="utf-8")
    report = import_file(store, tmp_path / "e.csv")
    assert report.counts["enterprises"] == (0, 2)
    with store.session() as s:
        names = sorted(e.record.name for e in repo.list_enterprises(s))
    assert names == ["示例动力电池股份有限公司", "示例正极材料股份有限公司"]


def test_the_xlsx_template_imports_all_three_sheets_in_one_go(store: Store) -> None:
    report = import_file(store, TEMPLATES / "import_template.xlsx")
    assert {k: c.created for k, c in report.counts.items()} == {"parks": 1, "enterprises": 2, "demands": 2}


def _broken_enterprises(tmp_path: Path, old: str, new: str) -> Path:
    text = template_text("enterprises.csv")
    assert old in text
    path = tmp_path / "enterprises.csv"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("91320412MA1YR2CJ0E", "91320412MA1YR2CJ0F", "第 3 行：统一社会信用代码校验位错误"),
        (",3985,", ",3999,", "第 3 行：行业代码 3999 不在 GB/T 4754-2017"),
        (",38000.0,", ",-38000.0,", "第 3 行：营业收入（万元）不能为负数"),
        (
            "高镍三元正极材料:0.8",
            "高镍三元正极材料:八成",
            "第 3 行：主要产品“高镍三元正极材料:八成”的营收占比应为数字",
        ),
        (",中小企业,", ",小微企业,", "第 3 行：企业角色取值“小微企业”无效"),
    ],
)
def test_each_broken_enterprise_row_gives_one_clear_message(
    store: Store, tmp_path: Path, old: str, new: str, expected: str
) -> None:
    load_templates(store)
    problems = refused(store, _broken_enterprises(tmp_path, old, new))
    assert len(problems) == 1, problems
    assert problems[0].startswith(expected), problems


def test_two_bad_rows_give_two_messages_and_nothing_is_written(store: Store, tmp_path: Path) -> None:
    import_file(store, TEMPLATES / "parks.csv")
    text = template_text("enterprises.csv").replace("0Y,", "0Q,").replace("0E,", "0F,")
    (tmp_path / "e.csv").write_text(text, encoding="utf-8")
    problems = refused(store, tmp_path / "e.csv")
    assert [p[:6] for p in problems] == ["第 2 行：", "第 3 行："]


def test_four_leading_industries_cite_the_guideline(store: Store, tmp_path: Path) -> None:
    text = template_text("parks.csv").replace("新能源汽车；光伏", "新能源汽车；光伏；集成电路；生物医药")
    (tmp_path / "parks.csv").write_text(text, encoding="utf-8")
    problems = refused(store, tmp_path / "parks.csv")
    assert len(problems) == 1
    assert (
        problems[0].startswith("第 2 行：主导产业不得超过 3 个") and "工业园区高质量发展指引" in problems[0]
    )


def test_missing_required_column(store: Store, tmp_path: Path) -> None:
    lines = template_text("enterprises.csv").splitlines()
    cut = [",".join(line.split(",")[1:]) for line in lines]  # drop 统一社会信用代码
    (tmp_path / "e.csv").write_text("\n".join(cut), encoding="utf-8")
    problems = refused(store, tmp_path / "e.csv")
    assert len(problems) == 1 and "缺少必填列：统一社会信用代码" in problems[0]


def test_non_utf8_csv_is_refused_with_a_hint(store: Store, tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_bytes(template_text("parks.csv").encode("gbk"))
    problems = refused(store, tmp_path / "e.csv")
    assert len(problems) == 1 and "不是 UTF-8 编码" in problems[0] and "--encoding gb18030" in problems[0]


def test_the_same_gbk_file_imports_when_its_encoding_is_named(store: Store, tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_bytes(template_text("parks.csv").encode("gbk"))
    assert import_file(store, tmp_path / "p.csv", encoding="gb18030").counts["parks"].created == 1


@pytest.mark.parametrize("content", [b"", b"  \n\n"])
def test_empty_file(store: Store, tmp_path: Path, content: bytes) -> None:
    (tmp_path / "e.csv").write_bytes(content)
    assert refused(store, tmp_path / "e.csv") == ["文件为空：e.csv"]


def test_header_only_file_has_no_rows(store: Store, tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_text(template_text("parks.csv").splitlines()[0], encoding="utf-8")
    assert refused(store, tmp_path / "e.csv") == ["文件 e.csv 没有数据行"]


def test_unknown_park_and_non_leading_publisher(store: Store, tmp_path: Path) -> None:
    problems = refused(store, TEMPLATES / "enterprises.csv")
    assert problems == [
        "第 2 行：所属园区“示例新能源产业园”不存在，请先导入园区",
        "第 3 行：所属园区“示例新能源产业园”不存在，请先导入园区",
    ]
    load_templates(store)
    text = template_text("demands.csv").replace("91320412MA1XK8QL0Y", "91320412MA1YR2CJ0E", 1)
    (tmp_path / "d.csv").write_text(text, encoding="utf-8")
    problems = refused(store, tmp_path / "d.csv")
    assert problems == ["第 2 行：发布企业 91320412MA1YR2CJ0E 不是龙头企业，只有龙头企业可发布需求"]


def test_duplicate_keys_within_a_file(store: Store, tmp_path: Path) -> None:
    lines = template_text("parks.csv").splitlines()
    (tmp_path / "p.csv").write_text("\n".join([*lines, lines[1]]), encoding="utf-8")
    assert refused(store, tmp_path / "p.csv") == ["第 3 行：园区名称 示例新能源产业园 与第 2 行重复"]


def test_unknown_column_is_refused_not_dropped(store: Store, tmp_path: Path) -> None:
    lines = template_text("parks.csv").splitlines()
    (tmp_path / "p.csv").write_text(f"{lines[0]},备注\n{lines[1]},x", encoding="utf-8")
    problems = refused(store, tmp_path / "p.csv")
    assert len(problems) == 1 and problems[0].startswith("p：未知列“备注”")


def test_english_headers_and_jsonl(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "parks.jsonl"
    path.write_text(
        '{"name": "甲园", "province": "湖北省", "leading_industries": ["生物医药"]}\n', encoding="utf-8"
    )
    assert import_file(store, path).counts["parks"].created == 1
    path.write_text('{"name": "乙园"}\n[1, 2]\n{bad json\n', encoding="utf-8")
    problems = refused(store, path)
    assert problems[0].startswith("第 2 行：应为 JSON 对象") and problems[1].startswith(
        "第 3 行：不是有效的 JSON"
    )


# -- headers people's own spreadsheets use, and every problem of a file in one answer --------------------------


def test_a_file_with_common_header_variants_imports(store: Store, tmp_path: Path) -> None:
    load_templates(store)  # the park
    first, second = make_uscc(71), make_uscc(72)
    (tmp_path / "e.csv").write_text(
        "信用代码,单位名称,所属园区,所属行业代码,营收(万元),从业人数,主营产品,联系电话\n"
        f"{first},甲精密有限公司,示例新能源产业园,3484,1200.5,85,精密轴承,0519-1234567\n"
        f"{second},乙材料有限公司,示例新能源产业园,2613,800,40,正极材料,\n",
        encoding="utf-8",
    )
    report = import_file(store, tmp_path / "e.csv")
    assert report.counts["enterprises"] == (2, 0)
    assert report.renamed["enterprises"][:2] == [("信用代码", "统一社会信用代码"), ("单位名称", "企业名称")]
    with store.session() as s:
        firm = repo.get_enterprise(s, uscc=first).record
    assert (firm.name, firm.industry_code, firm.indicators.revenue) == ("甲精密有限公司", "3484", 1200.5)
    assert (firm.indicators.employees, firm.contact.phone) == (85, "0519-1234567")
    for other in ("行业代码,社会信用代码,企业名称", "国民经济行业代码,统一社会信用代码,单位名称"):
        (tmp_path / "f.csv").write_text(f"{other}\n3484,{first},丙公司\n", encoding="utf-8")
        assert import_file(store, tmp_path / "f.csv", dry_run=True).checked == {"enterprises": 1}


def test_a_header_in_another_unit_is_refused_not_misread(store: Store, tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_text(
        f"统一社会信用代码,企业名称,行业代码,营业收入（元）\n{make_uscc(73)},甲,3484,12000000\n"
    )
    problems = refused(store, tmp_path / "e.csv")
    assert problems == [
        "e：列“营业收入（元）”的单位（元）与“营业收入（万元）”不同，请换算后把列名改为“营业收入（万元）”"
    ]


def test_five_different_problems_are_listed_in_one_answer(store: Store, tmp_path: Path) -> None:
    load_templates(store)
    good, dup = make_uscc(74), make_uscc(75)
    bad_check = make_uscc(76)[:-1] + ("0" if make_uscc(76)[-1] != "0" else "1")
    (tmp_path / "e.csv").write_text(
        "统一社会信用代码,单位名称,行业代码,所属园区,营收(万元),备注说明\n"
        f"{bad_check},校验位错误公司,3484,示例新能源产业园,100,\n"  # row 2: check character
        f"{good},负营收公司,3484,示例新能源产业园,-5,\n"  # row 3: negative revenue
        f"{dup},园区不存在公司,3484,不存在的园区,100,\n"  # row 4: unknown park
        f"{dup},重复代码公司,3484,示例新能源产业园,100,\n",  # row 5: repeats row 4's code
        encoding="utf-8",
    )
    problems = refused(store, tmp_path / "e.csv")
    assert len(problems) == 5, problems
    assert problems[0] == "e：未知列“备注说明”（企业表可用的列见 README“数据格式”一节）"
    assert problems[1].startswith("第 2 行：统一社会信用代码校验位错误")
    assert problems[2] == "第 3 行：营业收入（万元）不能为负数（实为 -5.0）"
    assert problems[3] == f"第 5 行：统一社会信用代码 {dup} 与第 4 行重复"
    assert problems[4] == "第 4 行：所属园区“不存在的园区”不存在，请先导入园区"


def test_a_missing_required_column_is_said_once_and_rows_are_still_checked(
    store: Store, tmp_path: Path
) -> None:
    (tmp_path / "e.csv").write_text(
        "企业名称,行业代码,营业收入（万元）\n甲,3484,100\n乙,3484,-1\n", encoding="utf-8"
    )
    problems = refused(store, tmp_path / "e.csv")
    assert problems == ["e：缺少必填列：统一社会信用代码", "第 3 行：营业收入（万元）不能为负数（实为 -1.0）"]

"""Tenant spec loader: the shipped demo loads; every mistake is reported with file, line, path."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from saas.domain.passwords import password_problems
from saas.domain.templates import PERSPECTIVES
from tenants.spec import CREDIT_CODE_RE, SpecError, SpecProblem, load_spec, parse_spec

SPECS = Path(__file__).resolve().parent.parent / "tenants" / "specs"
DEMO = SPECS / "demo.yaml"


# --------------------------------------------------------------------------- the shipped demo


@pytest.fixture(scope="module")
def demo() -> dict:
    return load_spec(DEMO)


def all_users(spec):
    yield from spec["users"]
    for inst in spec["institutions"]:
        yield from inst["users"]


def test_demo_region_and_bureau(demo):
    assert demo["region"]["code"] == "330106"
    assert demo["region"]["name"] == "杭州市西湖区"
    assert Counter(u["role"] for u in demo["users"]) == {"bureau_admin": 1,
                                                          "bureau_inspector": 2}


def test_demo_institutions(demo):
    kinds = Counter(i["kind"] for i in demo["institutions"])
    assert kinds["hospital"] >= 3 and kinds["clinic"] >= 2 and kinds["pharmacy"] >= 2
    levels = {i["level"][:2] for i in demo["institutions"] if i["kind"] == "hospital"}
    assert levels == {"一级", "二级", "三级"}
    codes = [i["code"] for i in demo["institutions"]]
    assert len(codes) == len(set(codes))
    for inst in demo["institutions"]:
        assert CREDIT_CODE_RE.match(inst["credit_code"]), inst["code"]
        roles = {u["role"] for u in inst["users"]}
        assert {"institution_admin", "institution_staff"} <= roles, inst["code"]
        ag = inst["agreement"]
        assert isinstance(ag["start"], dt.date) and isinstance(ag["end"], dt.date)
        assert ag["start"] < ag["end"]
    assert any(u["role"] == "mock_inspector" for i in demo["institutions"]
               if i["kind"] == "hospital" for u in i["users"])
    numbers = [i["agreement"]["number"] for i in demo["institutions"]]
    assert len(numbers) == len(set(numbers))


def test_demo_users(demo):
    users = list(all_users(demo))
    emails = [u["email"] for u in users]
    assert len(emails) == len(set(emails))
    assert all(e.split("@")[1].endswith(".example") for e in emails)
    assert {u["password"] for u in users} == {"Pact-demo-2026"}
    assert password_problems("Pact-demo-2026") == []
    assert all(u["name"] for u in users)


def test_demo_agreements_use_the_right_template(demo):
    by_code = {t["code"]: t for t in demo["templates"]}
    assert set(by_code) == {"HOSP-2026", "CLINIC-2026", "PHARM-2026"}
    for inst in demo["institutions"]:
        template = by_code[inst["agreement"]["template"]]
        assert inst["kind"] in template["applies_to"]


def indicators(template):
    return [ind for clause in template["clauses"] for ind in clause["indicators"]]


def test_demo_templates_indicator_counts_and_perspectives(demo):
    total = 0
    for t in demo["templates"]:
        inds = indicators(t)
        total += len(inds)
        assert len(inds) >= 9, t["code"]
        assert {i["perspective"] for i in inds} == set(PERSPECTIVES), t["code"]
        codes = [i["code"] for i in inds]
        assert len(codes) == len(set(codes))
        assert sum(t["perspective_weights"].values()) == 100
    assert total >= 30


def test_demo_templates_every_leaf_clause_is_measurable(demo):
    """条款对应制: every clause without sub-clauses maps to at least one indicator."""
    for t in demo["templates"]:
        parents = {c["parent"] for c in t["clauses"]}
        for clause in t["clauses"]:
            assert clause["title"] and clause["text"], (t["code"], clause["number"])
            if clause["number"] not in parents:
                assert clause["indicators"], (t["code"], clause["number"])
                assert clause["number"].count(".") == 2  # chapter.article.item


def test_demo_templates_use_the_seed_targets(demo):
    by_code = {t["code"]: {i["code"]: i for i in indicators(t)} for t in demo["templates"]}
    hosp, clinic, pharm = by_code["HOSP-2026"], by_code["CLINIC-2026"], by_code["PHARM-2026"]
    viol = hosp["VIOL-RATIO"]
    assert (viol["target"], viol["warning"], viol["zero"]) == (0.5, 0.4, 1.0)
    assert viol["direction"] == "lower_better"
    assert hosp["TRAIN-COVERAGE"]["target"] == 100
    assert hosp["OOP-SCOPE-RATIO"]["target"] == 5
    assert hosp["SELF-PAY-RATIO"]["target"] == 30
    assert hosp["SELF-DRUG-RATIO"]["target"] == 10
    assert "COMPLAINT-24H" in hosp and "SETTLE-OVERDUE-TRACK" in hosp
    assert "SYS-RECOVERY" in hosp and "RX-REVIEW" in hosp and "VBP-DRUG-USE" in hosp
    assert hosp["DATA-UPLOAD"]["target"] == 100
    assert clinic["E-VOUCHER-COVERAGE"]["target"] == 98
    assert clinic["DISPUTE-RESOLUTION"]["target"] == 95
    assert clinic["REMOTE-FILING-SUCCESS"]["target"] == 100
    assert "SATISFACTION" in clinic
    assert "SUPPLY-DAYS-COMPLIANT" in pharm
    assert any(i["direction"] == "boolean" for i in pharm.values())


def test_demo_returns_plain_data(demo):
    def walk(x):
        assert type(x) in (dict, list, str, int, float, bool, type(None), dt.date), type(x)
        if isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(demo)


# --------------------------------------------------------------------------- bad specs

TEMPLATE = """\
# a small template
code: T-2026
name: 测试范本
applies_to: [hospital, clinic]
clauses:
  - number: "1"
    title: 总则
  - number: "1.1"
    title: 费用
    indicators:
      - {code: VIOL-RATIO, name: 违规费用占比, perspective: financial, unit: "%",
         direction: lower_better, target: 0.5, warning: 0.4, zero: 1.0, max_points: 10}
      - code: TRAIN
        name: 培训覆盖率
        perspective: learning
        unit: "%"
        direction: higher_better
        target: 100
        zero: 80
        max_points: 5
"""

SPEC = """\
region: {code: "330106", name: 测试区}
users:
  - {email: admin@bureau.example, name: 管理员, role: bureau_admin, password: "Pact-demo-2026"}
templates:
  - file: t.yaml
institutions:
  - code: H1
    name: 测试医院
    kind: hospital
    level: 二级
    credit_code: "12330106470112345E"
    users:
      - {email: admin@h1.example, role: institution_admin}
    agreement: {template: T-2026, number: "T-001", start: 2026-01-01, end: 2026-12-31}
  - code: C1
    name: 测试诊所
    kind: clinic
    users:
      - {email: admin@c1.example, role: institution_admin}
    agreement: {template: T-2026, number: "T-002", start: 2026-01-01, end: 2026-12-31}
"""


def write(tmp_path: Path, spec: str = SPEC, template: str | None = TEMPLATE) -> Path:
    if template is not None:
        (tmp_path / "t.yaml").write_text(template, encoding="utf-8")
    path = tmp_path / "spec.yaml"
    path.write_text(spec, encoding="utf-8")
    return path


def line_of(text: str, needle: str, nth: int = 1) -> int:
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == nth:
                return number
    raise AssertionError(f"{needle!r} not in text")


def errors(path: Path) -> list[SpecProblem]:
    with pytest.raises(SpecError) as info:
        load_spec(path)
    return info.value.errors


def one_error(path: Path) -> SpecProblem:
    errs = errors(path)
    assert len(errs) == 1, [str(e) for e in errs]
    return errs[0]


def test_base_spec_is_valid(tmp_path):
    spec = load_spec(write(tmp_path))
    assert [i["code"] for i in spec["institutions"]] == ["H1", "C1"]
    t = spec["templates"][0]
    assert [(c["number"], c["parent"]) for c in t["clauses"]] == [("1", None), ("1.1", "1")]
    assert t["perspective_weights"] == {"financial": 25, "patient": 25, "process": 25,
                                        "learning": 25}
    assert spec["institutions"][1]["level"] is None
    assert spec["institutions"][0]["users"][0] == {
        "email": "admin@h1.example", "name": None, "role": "institution_admin",
        "password": None}


def test_kind_typo_names_line_and_path(tmp_path):
    text = SPEC.replace("kind: clinic", "kind: hopsital")
    err = one_error(write(tmp_path, text))
    assert (err.file, err.line, err.path) == ("spec.yaml", line_of(text, "hopsital"),
                                              "institutions[1].kind")
    assert str(err) == (f"spec.yaml:{err.line}: institutions[1].kind: 未知机构类型 'hopsital'"
                        "（应为 hospital / clinic / pharmacy）")


def test_unknown_key(tmp_path):
    text = SPEC.replace("    level: 二级\n", "    level: 二级\n    levle: 三级\n")
    err = one_error(write(tmp_path, text))
    assert err.path == "institutions[0].levle"
    assert err.line == line_of(text, "levle")
    assert "未知字段" in err.message and "level" in err.message


def test_duplicate_email(tmp_path):
    text = SPEC.replace("admin@c1.example", "ADMIN@h1.example")
    err = one_error(write(tmp_path, text))
    assert err.path == "institutions[1].users[0].email"
    assert err.line == line_of(text, "ADMIN@h1.example")
    assert "institutions[0].users[0].email" in err.message
    assert f"第 {line_of(text, 'admin@h1.example')} 行" in err.message


def test_missing_include_file(tmp_path):
    text = SPEC.replace("file: t.yaml", "file: templates/missing.yaml")
    err = one_error(write(tmp_path, text))
    assert (err.file, err.line, err.path) == ("spec.yaml", line_of(text, "missing.yaml"),
                                              "templates[0].file")
    assert "missing.yaml" in err.message


def test_problem_inside_included_template_names_that_file(tmp_path):
    template = TEMPLATE.replace("zero: 80", "zero: 120")
    err = one_error(write(tmp_path, template=template))
    assert err.file == "t.yaml"
    assert err.line == line_of(template, "zero: 120")
    assert err.path == "templates[0].clauses[1].indicators[1].zero"


def test_flow_mapping_problem_points_at_its_line(tmp_path):
    template = TEMPLATE.replace("warning: 0.4", "warning: 0.7")
    err = one_error(write(tmp_path, template=template))
    assert err.file == "t.yaml" and err.line == line_of(template, "warning: 0.7")
    assert err.path == "templates[0].clauses[1].indicators[0].warning"


def test_missing_required_key_points_at_the_mapping(tmp_path):
    template = TEMPLATE.replace("        name: 培训覆盖率\n", "")
    err = one_error(write(tmp_path, template=template))
    assert err.file == "t.yaml" and err.line == line_of(template, "- code: TRAIN")
    assert err.path == "templates[0].clauses[1].indicators[1]"
    assert "name" in err.message


def test_all_problems_reported_together(tmp_path):
    text = (SPEC.replace("kind: clinic", "kind: hopsital")
            .replace('code: "330106"', 'code: "33010"')
            .replace("role: bureau_admin", "role: institution_admin")
            .replace('end: 2026-12-31}\n  - code: C1', 'end: 2025-12-31}\n  - code: C1'))
    template = TEMPLATE.replace("perspective: learning", "perspective: growth")
    errs = errors(write(tmp_path, text, template))
    assert {e.path for e in errs} == {
        "region.code", "users[0].role", "institutions[0].agreement.end",
        "institutions[1].kind", "templates[0].clauses[1].indicators[1].perspective"}
    # sorted: the spec first, by line, then the included file
    assert [e.file for e in errs] == ["spec.yaml"] * 4 + ["t.yaml"]
    assert [e.line for e in errs[:4]] == sorted(e.line for e in errs[:4])


def test_template_must_apply_to_the_kind(tmp_path):
    template = TEMPLATE.replace("applies_to: [hospital, clinic]", "applies_to: [hospital]")
    err = one_error(write(tmp_path, template=template))
    assert err.path == "institutions[1].agreement.template"
    assert "clinic" in err.message and "hospital" in err.message


def test_unknown_template_code(tmp_path):
    text = SPEC.replace("template: T-2026, number: \"T-002\"", "template: X-2026, number: \"T-002\"")
    err = one_error(write(tmp_path, text))
    assert err.path == "institutions[1].agreement.template" and "T-2026" in err.message


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ('code: "330106"', "code: 330106", "region.code"),
        ("level: 二级", "level: 二级特等", "institutions[0].level"),
        ("level: 二级", "level: 3", "institutions[0].level"),
        ('"12330106470112345E"', '"12330106470112345O"', "institutions[0].credit_code"),
        ('"12330106470112345E"', '"1233010647011234"', "institutions[0].credit_code"),
        ("admin@h1.example", "admin-at-h1.example", "institutions[0].users[0].email"),
        ("role: institution_admin}\n    agreement: {template: T-2026, number: \"T-001\"",
         "role: bureau_inspector}\n    agreement: {template: T-2026, number: \"T-001\"",
         "institutions[0].users[0].role"),
        ('password: "Pact-demo-2026"', 'password: "password"', "users[0].password"),
        ('number: "T-002"', 'number: "T-001"', "institutions[1].agreement.number"),
        ("start: 2026-01-01, end: 2026-12-31}\n  - code: C1",
         "start: 2026-01-01, end: 2026-01-01}\n  - code: C1", "institutions[0].agreement.end"),
        ("start: 2026-01-01, end: 2026-12-31}\n  - code: C1",
         "start: 2026-13-01, end: 2026-12-31}\n  - code: C1",
         "institutions[0].agreement.start"),
        ("code: C1", "code: H1", "institutions[1].code"),
        ("    level: 二级\n", "", "institutions[0]"),
    ],
)
def test_single_mistakes(tmp_path, old, new, path):
    text = SPEC.replace(old, new, 1)
    assert text != SPEC
    err = one_error(write(tmp_path, text))
    assert err.path == path, str(err)
    assert err.file == "spec.yaml" and err.line is not None


def test_hospital_level_with_grade_suffix_is_accepted(tmp_path):
    for level in ("一级", "二级乙等", "三级甲等", "三级丙等"):
        spec = load_spec(write(tmp_path, SPEC.replace("level: 二级", f"level: {level}")))
        assert spec["institutions"][0]["level"] == level


def test_yaml_syntax_error_line(tmp_path):
    text = SPEC.replace("    name: 测试诊所\n", "    name: [测试诊所\n")
    errs = errors(write(tmp_path, text))
    assert errs[0].file == "spec.yaml" and errs[0].line is not None
    assert "YAML" in errs[0].message


def test_duplicate_yaml_key(tmp_path):
    text = SPEC.replace("    kind: clinic\n", "    kind: clinic\n    kind: pharmacy\n")
    errs = errors(write(tmp_path, text))
    dup = [e for e in errs if "重复" in e.message]
    assert dup and dup[0].path == "institutions[1].kind"
    assert dup[0].line == line_of(text, "kind: pharmacy")


def test_missing_spec_file(tmp_path):
    err = one_error(tmp_path / "nope.yaml")
    assert err.file == "nope.yaml" and err.line is None


def test_include_must_hold_a_template_mapping(tmp_path):
    err = one_error(write(tmp_path, template="- code: T-2026\n"))
    assert err.file == "t.yaml" and err.path == "templates[0]"


def test_inline_nested_template_is_flattened(tmp_path):
    template = textwrap.indent(textwrap.dedent("""\
        code: T-2026
        name: 内联范本
        applies_to: [hospital, clinic]
        clauses:
          - number: "1"
            title: 总则
            children:
              - number: "1.1"
                title: 培训
                indicators:
                  - {code: TRAIN, name: 培训覆盖率, perspective: learning, unit: "%",
                     direction: higher_better, target: 100, zero: 80, max_points: 5}
        """), "    ")
    text = SPEC.replace("  - file: t.yaml\n", "  -\n" + template)
    spec = load_spec(write(tmp_path, text, template=None))
    clauses = spec["templates"][0]["clauses"]
    assert [(c["number"], c["parent"]) for c in clauses] == [("1", None), ("1.1", "1")]
    assert clauses[1]["indicators"][0]["code"] == "TRAIN"


def test_inline_template_problem_points_at_the_spec(tmp_path):
    text = SPEC.replace("  - file: t.yaml\n", "  - {code: T-2026, name: x, applies_to: [hospital,"
                        " clinic], clauses: [], perspective_weights: {financial: 50}}\n")
    err = one_error(write(tmp_path, text, template=None))
    assert err.file == "spec.yaml" and err.line == line_of(text, "financial: 50")
    assert err.path == "templates[0].perspective_weights"


def test_parse_spec_from_text(tmp_path):
    (tmp_path / "t.yaml").write_text(TEMPLATE, encoding="utf-8")
    spec = parse_spec(SPEC, name="upload.yaml", base_dir=tmp_path)
    assert spec["region"]["code"] == "330106"
    with pytest.raises(SpecError) as info:
        parse_spec(SPEC.replace("kind: clinic", "kind: shop"), name="upload.yaml",
                   base_dir=tmp_path)
    assert str(info.value.errors[0]).startswith("upload.yaml:")


def test_spec_problem_str_without_line_or_path():
    assert str(SpecProblem("a.yaml", None, "", "坏了")) == "a.yaml: 坏了"
    assert str(SpecProblem("a.yaml", 3, "x", "坏了")) == "a.yaml:3: x: 坏了"

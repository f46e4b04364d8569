"""协议范本 validation: every human error a template author makes is caught, with its path."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from saas.domain.templates import (
    DEFAULT_TEMPLATE_SETTINGS,
    PERSPECTIVES,
    diff_templates,
    flatten_clauses,
    iter_indicators,
    validate_template,
    with_defaults,
)

SHIPPED = Path(__file__).resolve().parents[2] / "tenants" / "specs" / "templates"


def make_template() -> dict:
    return {
        "code": "HOSP-2026",
        "name": "定点医疗机构服务协议（2026版）",
        "version": 1,
        "applies_to": ["hospital"],
        "perspective_weights": {"financial": 25, "patient": 25, "process": 25, "learning": 25},
        "grade_bands": {"excellent": 90, "pass": 75, "basic": 60},
        "points": {"minor": 2, "general": 5, "serious": 8, "fraud": 12},
        "thresholds": [
            {"points": 3, "measure": "interview"},
            {"points": 6, "measure": "rectification_order"},
            {"points": 9, "measure": "public_notice"},
            {"points": 12, "measure": "suspension", "months": 3},
        ],
        "clauses": [
            {"number": "6", "title": "协议管理"},
            {"number": "6.2", "title": "协议执行"},
            {
                "number": "6.2.1",
                "title": "协议执行自查",
                "text": "将协议内容分解为可量化的检查指标。",
                "indicators": [
                    {"code": "VIOL-RATIO", "name": "违规费用占比", "perspective": "financial",
                     "unit": "%", "direction": "lower_better", "target": 0.5, "warning": 0.4,
                     "zero": 1.0, "max_points": 10, "frequency": "monthly",
                     "data_source": "claims", "evidence_required": False},
                    {"code": "TRAIN-COVERAGE", "name": "培训覆盖率", "perspective": "learning",
                     "unit": "%", "direction": "higher_better", "target": 98, "warning": 99,
                     "zero": 80, "max_points": 5, "frequency": "quarterly"},
                ],
            },
            {
                "number": "6.2.2",
                "title": "模拟检查",
                "indicators": [
                    {"code": "MOCK-DONE", "name": "模拟检查按期开展", "perspective": "process",
                     "unit": "yes/no", "direction": "boolean", "max_points": 5},
                ],
            },
        ],
    }


def paths(problems):
    return [p for p, _ in problems]


def only(problems):
    assert len(problems) == 1, problems
    return problems[0]


# --------------------------------------------------------------------------- valid input


def test_valid_template_has_no_problems():
    assert validate_template(make_template()) == []


def test_minimal_template_relies_on_defaults():
    t = make_template()
    for key in ("version", "perspective_weights", "grade_bands", "points", "thresholds"):
        del t[key]
    assert validate_template(t) == []
    full = with_defaults(t)
    for key in ("perspective_weights", "grade_bands", "points", "thresholds"):
        assert full[key] == DEFAULT_TEMPLATE_SETTINGS[key]
    assert full["version"] == 1


@pytest.mark.parametrize("name", ["hospital-2026.yaml", "clinic-2026.yaml", "pharmacy-2026.yaml"])
def test_shipped_templates_are_valid(name):
    t = yaml.safe_load((SHIPPED / name).read_text(encoding="utf-8"))
    assert validate_template(t) == []
    assert validate_template(with_defaults(t)) == []


# --------------------------------------------------------------------------- warning / zero


def test_warning_on_wrong_side_lower_better():
    t = make_template()
    t["clauses"][2]["indicators"][0]["warning"] = 0.6  # above target 0.5: wrong for ≤
    path, msg = only(validate_template(t))
    assert path == "clauses[2].indicators[0].warning"
    assert "小于" in msg and "0.6" in msg and "0.5" in msg


def test_warning_equal_to_target_means_no_yellow_band():
    t = make_template()
    t["clauses"][2]["indicators"][0]["warning"] = 0.5
    t["clauses"][2]["indicators"][1]["warning"] = 98
    assert validate_template(t) == []


@pytest.mark.parametrize("unit", ["件", "次", "人次", "人", "元", "万元", "天", "小时", "分",
                                  "床日", "%", "count"])
def test_the_units_a_bureau_writes_are_accepted(unit):
    t = make_template()
    t["clauses"][2]["indicators"][0]["unit"] = unit
    assert validate_template(t) == []


@pytest.mark.parametrize("unit", ["", "   ", 5, "一二三四五六七八九十一二三四五六七"])
def test_a_unit_is_short_text(unit):
    t = make_template()
    t["clauses"][2]["indicators"][0]["unit"] = unit
    assert paths(validate_template(t)) == ["clauses[2].indicators[0].unit"]


def test_lines_lie_inside_the_units_range_unless_the_indicator_widens_it():
    t = make_template()
    ind = t["clauses"][2]["indicators"][0]  # % lower_better: target 0.5, warning 0.4
    ind.update(target=-5, warning=-6, zero=10)
    assert sorted(paths(validate_template(t))) == ["clauses[2].indicators[0].target",
                                                   "clauses[2].indicators[0].warning"]
    ind["min"] = -100  # a growth rate (增幅) may fall
    assert validate_template(t) == []
    ind.update(min=50, max=10)
    assert paths(validate_template(t)) == ["clauses[2].indicators[0].max"]


def test_a_boolean_indicator_has_no_range():
    t = make_template()
    t["clauses"][3]["indicators"][0]["min"] = 0
    assert paths(validate_template(t)) == ["clauses[3].indicators[0].min"]


def test_warning_on_wrong_side_higher_better():
    t = make_template()
    t["clauses"][2]["indicators"][1]["warning"] = 95  # below target 98: wrong for ≥
    path, msg = only(validate_template(t))
    assert path == "clauses[2].indicators[1].warning"
    assert "大于" in msg


def test_zero_on_wrong_side_both_directions():
    t = make_template()
    t["clauses"][2]["indicators"][0]["zero"] = 0.3  # lower_better: zero must be above
    t["clauses"][2]["indicators"][1]["zero"] = 100  # higher_better: zero must be below
    assert sorted(paths(validate_template(t))) == [
        "clauses[2].indicators[0].zero",
        "clauses[2].indicators[1].zero",
    ]


def test_warning_may_be_omitted():
    t = make_template()
    del t["clauses"][2]["indicators"][0]["warning"]
    assert validate_template(t) == []


def test_target_and_zero_required_unless_boolean():
    t = make_template()
    del t["clauses"][2]["indicators"][0]["target"]
    del t["clauses"][2]["indicators"][1]["zero"]
    assert sorted(paths(validate_template(t))) == [
        "clauses[2].indicators[0].target",
        "clauses[2].indicators[1].zero",
    ]


def test_boolean_indicator_rules():
    t = make_template()
    ind = t["clauses"][3]["indicators"][0]
    ind["zero"] = 0
    ind["unit"] = "%"
    assert sorted(paths(validate_template(t))) == [
        "clauses[3].indicators[0].unit",
        "clauses[3].indicators[0].zero",
    ]
    t = make_template()
    t["clauses"][3]["indicators"][0]["target"] = True
    assert validate_template(t) == []


def test_non_numeric_lines():
    t = make_template()
    t["clauses"][2]["indicators"][0]["target"] = "0.5%"
    path, msg = only(validate_template(t))
    assert path == "clauses[2].indicators[0].target" and "数字" in msg


# --------------------------------------------------------------------------- settings


def test_weights_not_adding_up():
    t = make_template()
    t["perspective_weights"]["financial"] = 30
    path, msg = only(validate_template(t))
    assert path == "perspective_weights"
    assert "100" in msg and "105" in msg


def test_weights_missing_or_unknown_perspective():
    t = make_template()
    t["perspective_weights"] = {"financial": 25, "patient": 25, "process": 25, "growth": 25}
    problems = validate_template(t)
    assert sorted(paths(problems)) == ["perspective_weights", "perspective_weights.growth"]


def test_grade_bands_out_of_order():
    t = make_template()
    t["grade_bands"] = {"excellent": 70, "pass": 75, "basic": 60}
    assert paths(validate_template(t)) == ["grade_bands"]
    t["grade_bands"] = {"excellent": 110}
    assert paths(validate_template(t)) == ["grade_bands"]


def test_points_must_be_positive():
    t = make_template()
    t["points"]["minor"] = 0
    assert paths(validate_template(t)) == ["points.minor"]
    t = make_template()
    t["points"]["severe"] = 8
    path, msg = only(validate_template(t))
    assert path == "points.severe" and "serious" in msg  # suggests the right spelling


def test_thresholds_ascending_and_known_measures():
    t = make_template()
    t["thresholds"][2]["points"] = 5  # after 6
    t["thresholds"][3]["measure"] = "suspend"
    assert sorted(paths(validate_template(t))) == [
        "thresholds[2].points",
        "thresholds[3].measure",
    ]


def test_threshold_months_only_for_suspensions():
    t = make_template()
    t["thresholds"][0]["months"] = 1
    assert paths(validate_template(t)) == ["thresholds[0].months"]


def test_a_threshold_never_proposes_a_money_measure():
    t = make_template()
    t["thresholds"][0]["measure"] = "clawback"  # an amount only a person can set
    assert paths(validate_template(t)) == ["thresholds[0].measure"]


def test_bar_years_are_known_causes_and_whole_years():
    t = make_template()
    t["bar_years"] = {"breach": 2, "fraud": 5, "person": 5}
    assert validate_template(t) == []
    t["bar_years"] = {"breech": 2, "fraud": -1, "person": True}
    assert sorted(paths(validate_template(t))) == [
        "bar_years.breech", "bar_years.fraud", "bar_years.person"]
    t["bar_years"] = [1, 3]
    assert paths(validate_template(t)) == ["bar_years"]


def test_applies_to_must_be_known_kinds():
    t = make_template()
    t["applies_to"] = ["hopsital"]
    path, msg = only(validate_template(t))
    assert path == "applies_to[0]" and "hospital" in msg


# --------------------------------------------------------------------------- structure


def test_duplicate_indicator_codes_across_clauses():
    t = make_template()
    t["clauses"][3]["indicators"][0]["code"] = "VIOL-RATIO"
    path, msg = only(validate_template(t))
    assert path == "clauses[3].indicators[0].code"
    assert "clauses[2].indicators[0]" in msg


def test_indicator_code_format():
    t = make_template()
    t["clauses"][2]["indicators"][0]["code"] = "viol_ratio"
    assert paths(validate_template(t)) == ["clauses[2].indicators[0].code"]


def test_unknown_perspective():
    t = make_template()
    t["clauses"][2]["indicators"][1]["perspective"] = "learnig"
    path, msg = only(validate_template(t))
    assert path == "clauses[2].indicators[1].perspective"
    assert "'learning'" in msg


@pytest.mark.parametrize(
    ("key", "value"),
    [("direction", "lower"), ("unit", ""), ("frequency", "weekly"),
     ("data_source", "hearsay"), ("max_points", 0), ("max_points", -1),
     ("max_points", 2.125), ("evidence_required", "yes")],
)
def test_unknown_enum_values_and_bad_points(key, value):
    t = make_template()
    t["clauses"][2]["indicators"][0][key] = value
    assert f"clauses[2].indicators[0].{key}" in paths(validate_template(t))


def test_points_and_weights_with_two_decimals_pass_and_more_are_refused():
    t = make_template()
    t["clauses"][2]["indicators"][0]["max_points"] = 2.55
    t["perspective_weights"] = {"financial": 33.33, "patient": 33.33, "process": 33.34,
                                "learning": 0}
    assert validate_template(t) == []
    t["perspective_weights"] = {"financial": 33.333, "patient": 33.333, "process": 33.334,
                                "learning": 0}
    problems = dict(validate_template(t))
    assert "最多保留两位小数" in problems["perspective_weights.financial"]


def test_unknown_and_missing_keys():
    t = make_template()
    t["clauses"][2]["indicators"][0]["targte"] = 0.5
    del t["clauses"][2]["indicators"][0]["name"]
    t["colour"] = "blue"
    problems = dict(validate_template(t))
    assert "clauses[2].indicators[0].targte" in problems
    assert "'target'" in problems["clauses[2].indicators[0].targte"]
    assert "缺少必填字段 name" in problems["clauses[2].indicators[0]"]
    assert "colour" in problems


@pytest.mark.parametrize("number", ["6.", "6..2", "a.1", "6.2.x", " ", 6.2])
def test_bad_clause_numbers(number):
    t = make_template()
    t["clauses"][3]["number"] = number
    assert "clauses[3].number" in paths(validate_template(t))


def test_float_clause_number_hint():
    t = make_template()
    t["clauses"][3]["number"] = 3.1
    _, msg = only(validate_template(t))
    assert "引号" in msg


def test_integer_chapter_number_is_accepted():
    t = make_template()
    t["clauses"][0]["number"] = 6
    assert validate_template(t) == []
    assert with_defaults(t)["clauses"][0]["number"] == "6"


def test_duplicate_clause_numbers():
    t = make_template()
    t["clauses"][3]["number"] = "6.2.1"
    path, msg = only(validate_template(t))
    assert path == "clauses[3].number" and "clauses[2]" in msg


def nested_template() -> dict:
    t = make_template()
    leaf1, leaf2 = t["clauses"][2], t["clauses"][3]
    t["clauses"] = [
        {"number": "6", "title": "协议管理", "children": [
            {"number": "6.2", "title": "协议执行", "children": [leaf1, leaf2]},
        ]},
    ]
    return t


def test_nested_children_are_valid():
    assert validate_template(nested_template()) == []


def test_nested_child_must_start_with_parent_number():
    t = nested_template()
    t["clauses"][0]["children"][0]["children"][1]["number"] = "7.2.2"
    path, msg = only(validate_template(t))
    assert path == "clauses[0].children[0].children[1].number"
    assert "'6.2.'" in msg


def test_nested_duplicate_codes_and_wrong_side_report_nested_paths():
    t = nested_template()
    leaf = t["clauses"][0]["children"][0]["children"][1]
    leaf["indicators"][0]["code"] = "VIOL-RATIO"
    t["clauses"][0]["children"][0]["children"][0]["indicators"][0]["warning"] = 2
    assert sorted(paths(validate_template(t))) == [
        "clauses[0].children[0].children[0].indicators[0].warning",
        "clauses[0].children[0].children[1].indicators[0].code",
    ]


def test_flatten_flat_and_nested_agree():
    flat = flatten_clauses(make_template())
    nested = flatten_clauses(nested_template())
    assert [(c["number"], c["parent"]) for c in flat] == [
        ("6", None), ("6.2", "6"), ("6.2.1", "6.2"), ("6.2.2", "6.2")]
    strip = [{k: v for k, v in c.items()} for c in nested]
    assert [(c["number"], c["parent"]) for c in strip] == [
        (c["number"], c["parent"]) for c in flat]
    assert all("children" not in c for c in nested)
    # the flattened form is itself a valid clause list
    t = make_template()
    t["clauses"] = flat
    assert validate_template(t) == []


def test_declared_parent_must_exist_and_prefix():
    t = make_template()
    t["clauses"][2]["parent"] = "5"
    assert paths(validate_template(t)) == ["clauses[2].parent"]


def test_iter_indicators():
    assert [(n, i["code"]) for n, i in iter_indicators(make_template())] == [
        ("6.2.1", "VIOL-RATIO"), ("6.2.1", "TRAIN-COVERAGE"), ("6.2.2", "MOCK-DONE")]


def test_not_a_mapping():
    assert validate_template(["code"]) == [("", "协议范本应为映射（key: value），实际为 列表")]


def test_all_problems_are_reported_at_once():
    t = make_template()
    t["perspective_weights"]["learning"] = 0
    t["clauses"][2]["indicators"][0]["warning"] = 0.9
    t["clauses"][2]["indicators"][1]["perspective"] = "people"
    t["clauses"][3]["number"] = "6.2.1"
    assert len(validate_template(t)) == 4


def test_with_defaults_does_not_mutate_and_merges():
    t = make_template()
    t["points"] = {"fraud": 15}
    before = copy.deepcopy(t)
    full = with_defaults(t)
    assert t == before
    assert full["points"] == {"minor": 2, "general": 5, "serious": 8, "fraud": 15}
    ind = full["clauses"][3]["indicators"][0]
    assert ind["frequency"] == "monthly" and ind["data_source"] == "self_report"
    assert ind["evidence_required"] is False and ind["zero"] is None
    assert validate_template(full) == []


def test_default_settings_match_domain():
    assert set(DEFAULT_TEMPLATE_SETTINGS["perspective_weights"]) == set(PERSPECTIVES)
    assert sum(DEFAULT_TEMPLATE_SETTINGS["perspective_weights"].values()) == 100
    assert DEFAULT_TEMPLATE_SETTINGS["points"] == {"minor": 2, "general": 5, "serious": 8,
                                                   "fraud": 12}
    assert [(x["points"], x["measure"]) for x in DEFAULT_TEMPLATE_SETTINGS["thresholds"]] == [
        (3, "interview"), (6, "rectification_order"), (9, "public_notice"), (12, "suspension")]


# --------------------------------------------------------------------------- diff


def test_diff_identical_is_empty():
    assert diff_templates(make_template(), make_template()) == []


def test_diff_default_vs_explicit_is_not_a_change():
    t = make_template()
    bare = copy.deepcopy(t)
    del bare["thresholds"], bare["points"]
    assert diff_templates(bare, t) == []


def test_diff_lists_added_removed_changed():
    old = make_template()
    new = make_template()
    new["version"] = 2
    new["clauses"][2]["indicators"][0]["target"] = 0.3
    new["clauses"][2]["indicators"][0]["warning"] = 0.2
    new["clauses"][2]["title"] = "协议执行自查（修订）"
    del new["clauses"][3]  # removes clause 6.2.2 and its indicator MOCK-DONE
    new["clauses"].append({"number": "6.3", "title": "信息变更", "indicators": [
        {"code": "CHANGE-FILED", "name": "重大信息变更按期备案", "perspective": "process",
         "unit": "yes/no", "direction": "boolean", "max_points": 3}]})
    changes = diff_templates(old, new)
    index = {(c["kind"], c["code_or_number"]): c for c in changes}
    assert index[("clause", "6.2.1")]["change"] == "changed"
    assert index[("clause", "6.2.1")]["fields"] == {"title": ("协议执行自查", "协议执行自查（修订）")}
    assert index[("clause", "6.2.2")]["change"] == "removed"
    assert index[("clause", "6.3")]["change"] == "added"
    assert index[("clause", "6.3")]["fields"]["title"] == (None, "信息变更")
    viol = index[("indicator", "VIOL-RATIO")]
    assert viol["change"] == "changed"
    assert viol["fields"] == {"target": (0.5, 0.3), "warning": (0.4, 0.2)}
    assert index[("indicator", "MOCK-DONE")]["change"] == "removed"
    assert index[("indicator", "CHANGE-FILED")]["change"] == "added"
    assert ("indicator", "TRAIN-COVERAGE") not in index
    assert len(changes) == 6
    assert all(set(c) == {"kind", "code_or_number", "change", "fields"} for c in changes)


def test_diff_indicator_moved_between_clauses():
    old = make_template()
    new = make_template()
    moved = new["clauses"][2]["indicators"].pop(1)
    new["clauses"][3]["indicators"].append(moved)
    changes = diff_templates(old, new)
    assert changes == [{"kind": "indicator", "code_or_number": "TRAIN-COVERAGE",
                        "change": "changed", "fields": {"clause": ("6.2.1", "6.2.2")}}]


def test_diff_template_settings():
    old = make_template()
    new = make_template()
    new["perspective_weights"] = {"financial": 40, "patient": 20, "process": 20, "learning": 20}
    (change,) = diff_templates(old, new)
    assert change["kind"] == "template" and change["code_or_number"] == "HOSP-2026"
    assert set(change["fields"]) == {"perspective_weights"}


def test_diff_flat_vs_nested_is_empty():
    assert diff_templates(make_template(), nested_template()) == []

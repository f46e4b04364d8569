"""Tenant spec (``tenants/specs/*.yaml``): load, validate, report every problem with its line.

Pure Python + PyYAML (no Flask, no SQLAlchemy). The format is the "Tenant spec" of
``/work/shared/contract.md``::

    region: {code: "330106", name: 杭州市西湖区}
    users: [{email, name, role, password}]              # bureau users
    templates: [{file: templates/hospital-2026.yaml}, {code: ..., clauses: [...]}]
    institutions:
      - {code, name, kind, level, credit_code, address, users: [...],
         agreement: {template, number, start, end}}

A ``templates`` item ``{file: PATH}`` includes one template mapping from ``PATH``,
relative to the spec file's folder. :func:`load_spec` raises :class:`SpecError` holding
*all* problems found, each with file, line and path, e.g.
``demo.yaml:12: institutions[2].kind: 未知机构类型 'hopsital'（应为 hospital / clinic / pharmacy）``.
File names in problems are relative to the spec's folder (the spec itself by its name).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from saas.domain import templates as tpl
from saas.domain.passwords import password_problems

__all__ = [
    "BUREAU_ROLES",
    "CREDIT_CODE_RE",
    "INSTITUTION_KINDS",
    "INSTITUTION_ROLES",
    "LEVEL_RE",
    "SpecError",
    "SpecProblem",
    "load_spec",
    "parse_spec",
]

BUREAU_ROLES: tuple[str, ...] = ("bureau_admin", "bureau_inspector")
INSTITUTION_ROLES: tuple[str, ...] = ("institution_admin", "institution_staff", "mock_inspector")
INSTITUTION_KINDS: tuple[str, ...] = tpl.INSTITUTION_KINDS

REGION_CODE_RE = re.compile(r"^\d{6}$")
EMAIL_RE = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
"""统一社会信用代码 (GB 32100-2015) shape; the check digit is not verified."""
LEVEL_RE = re.compile(r"^(一级|二级|三级)(甲等|乙等|丙等)?$")
INSTITUTION_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
AGREEMENT_NUMBER_RE = re.compile(r"^\S.{0,38}\S$|^\S$")

ROOT_KEYS = (("region",), ("users", "templates", "institutions"))
REGION_KEYS = (("code", "name"), ("bureau",))
USER_KEYS = (("email", "role"), ("name", "password"))
INCLUDE_KEYS = (("file",), ())
INSTITUTION_KEYS = (("code", "name", "kind"),
                    ("level", "credit_code", "address", "district", "users", "agreement",
                     "ownership",
                     "legal_representative", "legal_representative_id", "main_officer",
                     "main_officer_id"))
OWNERSHIPS = {"public": "公立", "private": "非公立"}
ID_NUMBER_RE = re.compile(r"^\d{17}[\dX]$")
"""居民身份证号码 shape (18 characters, the last a digit or X); the check digit is not verified."""
AGREEMENT_KEYS = (("template", "number", "start", "end"), ())

KIND_LABELS_ZH = {"hospital": "医院", "clinic": "诊所/卫生室/社区卫生服务中心",
                  "pharmacy": "零售药店"}


# --------------------------------------------------------------------------- problems


@dataclass
class SpecProblem:
    """One problem: ``file`` (relative to the spec's folder), 1-based ``line`` (None when
    unknown), ``path`` inside the spec (``institutions[2].kind``; "" for the file)."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class SpecError(Exception):
    """The spec is not valid; ``errors`` holds every problem found (sorted by file, line)."""

    def __init__(self, errors: list[SpecProblem]):
        self.errors = list(errors)
        super().__init__(self._summary())

    def _summary(self) -> str:
        head = f"租户 spec 校验失败，共 {len(self.errors)} 个问题："
        return "\n".join([head, *(f"  {p}" for p in self.errors)])

    def __str__(self) -> str:
        return self._summary()


# --------------------------------------------------------------------------- YAML with lines


class _LineDict(dict):
    """A mapping remembering its own start line and the line of each key."""

    line: int
    key_lines: dict
    duplicates: list  # (key, line) of keys written twice


class _LineList(list):
    line: int
    item_lines: list


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings / sequences carry 1-based line numbers."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _LineDict:
    loader.flatten_mapping(node)
    data = _LineDict()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    data.duplicates = []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError as exc:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark,
                "found unhashable key", key_node.start_mark) from exc
        line = key_node.start_mark.line + 1
        if key in data:
            data.duplicates.append((key, line))
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = line
    return data


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> _LineList:
    data = _LineList(loader.construct_object(child, deep=True) for child in node.value)
    data.line = node.start_mark.line + 1
    data.item_lines = [child.start_mark.line + 1 for child in node.value]
    return data


def _construct_timestamp(loader: _LineLoader, node: yaml.ScalarNode) -> Any:
    """Dates as usual; an impossible one (2026-13-01) stays text so that validation can
    report it with its path instead of the parser crashing."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _plain(obj: Any, path: str, lines: dict[str, int], dups: list[tuple[str, int]]) -> Any:
    """Plain dict / list copy of ``obj``; fills ``lines`` (path -> line) and ``dups``."""
    if isinstance(obj, _LineDict):
        lines.setdefault(path, obj.line)
        out = {}
        for key, value in obj.items():
            child = _join(path, str(key))
            lines[child] = obj.key_lines.get(key, obj.line)
            out[key] = _plain(value, child, lines, dups)
        dups.extend((_join(path, str(k)), line) for k, line in obj.duplicates)
        return out
    if isinstance(obj, _LineList):
        lines.setdefault(path, obj.line)
        out_list = []
        for i, value in enumerate(obj):
            child = _join(path, i)
            lines[child] = obj.item_lines[i]
            out_list.append(_plain(value, child, lines, dups))
        return out_list
    return obj


_PATH_TAIL = re.compile(r"(?:\.|^)[^.\[\]]+$|\[\d+\]$")


# --------------------------------------------------------------------------- the checker


class _Source:
    """One YAML file: its display name and the path -> line index (paths in spec terms)."""

    def __init__(self, name: str, prefix: str = ""):
        self.name = name
        self.prefix = prefix
        self.lines: dict[str, int] = {}


class _Checker:
    def __init__(self, main: _Source):
        self.main = main
        self.includes: list[_Source] = []
        self.problems: list[SpecProblem] = []
        self.unloaded_templates = 0  # templates entries that could not be read / parsed

    # -- locating
    def _source_for(self, path: str) -> _Source:
        for src in self.includes:
            p = src.prefix
            if path == p or path.startswith((p + ".", p + "[")):
                return src
        return self.main

    def locate(self, path: str) -> tuple[str, int | None]:
        src = self._source_for(path)
        probe = path
        while True:
            if probe in src.lines:
                return src.name, src.lines[probe]
            if not probe or (src is not self.main and probe == src.prefix):
                return src.name, src.lines.get(probe, 1 if src is not self.main else None)
            shorter = _PATH_TAIL.sub("", probe)
            if shorter == probe:
                return src.name, None
            probe = shorter

    def add(self, path: str, message: str) -> None:
        file, line = self.locate(path)
        self.problems.append(SpecProblem(file, line, path, message))

    def add_at(self, file: str, line: int | None, path: str, message: str) -> None:
        self.problems.append(SpecProblem(file, line, path, message))

    def keys(self, obj: Any, path: str, spec: tuple[tuple[str, ...], tuple[str, ...]],
             what: str) -> bool:
        """Shape check; True when ``obj`` is a mapping (so its fields can be checked)."""
        for p, msg in tpl.key_problems(obj, path, spec[0], spec[1], what=what):
            self.add(p, msg)
        return isinstance(obj, Mapping)

    def text(self, obj: Mapping, key: str, path: str, label: str) -> str | None:
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.add(_join(path, key), f"{label} {key} 应为文本")
            return None
        if isinstance(value, int):
            self.add(_join(path, key), f"{label} {key} 应为文本（请加引号，例如 \"{value}\"）")
            return None
        if not value.strip():
            self.add(_join(path, key), f"{label} {key} 不能为空")
            return None
        return value.strip()


# --------------------------------------------------------------------------- public API


def load_spec(path: str | Path) -> dict:
    """Read, resolve ``file:`` includes, validate and return the spec as plain data.

    Returns ``{"region": {code, name, bureau}, "users": [...], "templates": [...],
    "institutions": [...]}`` (see the module docstring of :mod:`tenants.spec` and
    :func:`parse_spec`). Raises :class:`SpecError` with every problem found.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError([SpecProblem(path.name, None, "", f"无法读取 spec 文件：{exc}")]) from exc
    return parse_spec(text, name=path.name, base_dir=path.parent)


def parse_spec(text: str, name: str = "spec.yaml", base_dir: str | Path | None = None) -> dict:
    """Like :func:`load_spec` for YAML text; ``file:`` includes are resolved against
    ``base_dir`` (default: the current directory).

    The result (plain dicts / lists, dates as :class:`datetime.date`)::

        region:       {code: "330106", name, bureau: str | None}
        users:        [{email (lower-case), name | None, role, password | None}]
        templates:    [template with settings defaults filled
                       (saas.domain.templates.with_defaults) and clauses flattened
                       in document order: {number, title, text, parent, indicators}]
        institutions: [{code, name, kind, level | None, credit_code | None,
                        address | None, users: [...],
                        agreement: {template, number, start, end} | None}]
    """
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    main = _Source(name)
    checker = _Checker(main)
    doc = _parse_yaml(text, main, checker)
    if doc is None:
        raise SpecError(checker.problems)
    if not isinstance(doc, Mapping):
        checker.add_at(name, 1, "", "spec 顶层应为映射（region / users / templates / institutions）")
        raise SpecError(checker.problems)

    _resolve_includes(doc, base, checker)
    result = _validate(doc, checker)
    if checker.problems:
        raise SpecError(_sorted(checker.problems, main.name))
    return result


def _sorted(problems: list[SpecProblem], main: str) -> list[SpecProblem]:
    files: list[str] = []
    for p in problems:
        if p.file not in files:
            files.append(p.file)
    order = {f: (0 if f == main else 1, i) for i, f in enumerate(files)}
    return sorted(problems, key=lambda p: (order[p.file], p.line or 0))


def _parse_yaml(text: str, src: _Source, checker: _Checker) -> Any:
    """Parse one file into plain data, indexing lines under ``src.prefix``; None on error
    (the problem is recorded)."""
    loader = _LineLoader(text)
    try:
        raw = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        detail = " ".join(x for x in (exc.context, exc.problem) if x)
        checker.add_at(src.name, line, "", f"YAML 语法错误：{detail}")
        return None
    except yaml.YAMLError as exc:
        checker.add_at(src.name, None, "", f"YAML 语法错误：{exc}")
        return None
    finally:
        loader.dispose()
    if raw is None:
        checker.add_at(src.name, 1, src.prefix, "文件为空")
        return None
    dups: list[tuple[str, int]] = []
    data = _plain(raw, src.prefix, src.lines, dups)
    for dpath, line in dups:
        key = dpath.rsplit(".", 1)[-1]
        checker.add_at(src.name, line, dpath, f"字段 '{key}' 重复出现（后者会覆盖前者）")
    return data


def _resolve_includes(doc: dict, base: Path, checker: _Checker) -> None:
    templates = doc.get("templates")
    if not isinstance(templates, list):
        return
    for i, item in enumerate(templates):
        path = _join("templates", i)
        if not isinstance(item, Mapping) or "file" not in item:
            continue
        if not checker.keys(item, path, INCLUDE_KEYS, "引用项"):
            continue
        if len(item) > 1:
            templates[i] = None  # problem already reported (unknown keys next to file:)
            checker.unloaded_templates += 1
            continue
        ref = item["file"]
        if not isinstance(ref, str) or not ref.strip():
            checker.add(_join(path, "file"), "file 应为相对于 spec 所在目录的文件路径")
            templates[i] = None
            checker.unloaded_templates += 1
            continue
        target = base / ref
        try:
            text = target.read_text(encoding="utf-8")
        except FileNotFoundError:
            checker.add(_join(path, "file"), f"找不到引用的范本文件 '{ref}'（相对于 {base}）")
            templates[i] = None
            checker.unloaded_templates += 1
            continue
        except (OSError, UnicodeDecodeError) as exc:
            checker.add(_join(path, "file"), f"无法读取引用的范本文件 '{ref}'：{exc}")
            templates[i] = None
            checker.unloaded_templates += 1
            continue
        src = _Source(ref.replace("\\", "/"), prefix=path)
        checker.includes.append(src)
        data = _parse_yaml(text, src, checker)
        if data is None:
            templates[i] = None
            checker.unloaded_templates += 1
            continue
        if not isinstance(data, Mapping):
            checker.add_at(src.name, 1, path, "范本文件的内容应为一个协议范本映射（code, name, clauses…）")
            templates[i] = None
            checker.unloaded_templates += 1
            continue
        templates[i] = data


# --------------------------------------------------------------------------- validation


def _validate(doc: dict, c: _Checker) -> dict:
    c.keys(doc, "", ROOT_KEYS, "spec")
    emails: dict[str, str] = {}
    out: dict[str, Any] = {"region": None, "users": [], "templates": [], "institutions": []}

    region = doc.get("region")
    if region is not None and c.keys(region, "region", REGION_KEYS, "region"):
        code = region.get("code")
        if isinstance(code, int) and not isinstance(code, bool):
            c.add("region.code", f"地区代码应加引号写成文本，例如 \"{code:06d}\"（不加引号时 YAML "
                                 "会把 010101 之类读成数字）")
        elif code is not None and (not isinstance(code, str) or not REGION_CODE_RE.match(code)):
            c.add("region.code", f"地区代码 '{code}' 应为 6 位数字（行政区划代码，如 \"330106\"）")
        name = c.text(region, "name", "region", "地区名称")
        bureau = c.text(region, "bureau", "region", "医保局名称")
        out["region"] = {"code": code, "name": name, "bureau": bureau}

    out["users"] = _users(doc.get("users"), "users", BUREAU_ROLES, c, emails, bureau=True)
    out["templates"], known = _templates(doc.get("templates"), c)
    out["institutions"] = _institutions(doc.get("institutions"), known, c, emails)
    return out


def _users(users: Any, path: str, roles: tuple[str, ...], c: _Checker,
           emails: dict[str, str], bureau: bool) -> list[dict]:
    if users is None:
        return []
    if not isinstance(users, list):
        c.add(path, "users 应为用户列表")
        return []
    out = []
    for i, user in enumerate(users):
        upath = _join(path, i)
        if not c.keys(user, upath, USER_KEYS, "用户"):
            continue
        email = user.get("email")
        if email is not None:
            if not isinstance(email, str) or not EMAIL_RE.match(email.strip()):
                c.add(_join(upath, "email"), f"邮箱 '{email}' 格式不正确")
                email = None
            else:
                email = email.strip().lower()
                if email in emails:
                    first = emails[email]
                    _, line = c.locate(first)
                    where = f"{first}（第 {line} 行）" if line else first
                    c.add(_join(upath, "email"), f"邮箱 '{email}' 重复，已用于 {where}")
                else:
                    emails[email] = _join(upath, "email")
        name = c.text(user, "name", upath, "姓名")
        role = user.get("role")
        if role is not None and role not in roles:
            other = INSTITUTION_ROLES if bureau else BUREAU_ROLES
            if role in other:
                where = "机构的 users（institutions[].users）" if bureau else "顶层 users（医保局用户）"
                msg = f"角色 '{role}' 只能用于{where}"
            else:
                msg = f"未知角色 '{role}'{tpl._suggest(role, roles)}"
            kind = "医保局用户" if bureau else "机构用户"
            c.add(_join(upath, "role"), f"{msg}（{kind}的角色应为 {' / '.join(roles)}）")
        password = user.get("password")
        if password is not None:
            problems = password_problems(password)
            if problems:
                c.add(_join(upath, "password"), "密码不符合复杂度要求：" + "；".join(problems))
        out.append({"email": email, "name": name, "role": role, "password": password})
    return out


def _templates(items: Any, c: _Checker) -> tuple[list[dict], dict[str, Any]]:
    """(valid templates with defaults and flat clauses, code -> applies_to of every
    template that has a code, valid or not: agreements referring to a broken template
    are not also reported as unknown)."""
    if items is None:
        return [], {}
    if not isinstance(items, list):
        c.add("templates", "templates 应为列表（每项为一个范本，或 {file: 相对路径}）")
        return [], {}
    valid: list[dict] = []
    known: dict[str, Any] = {}
    first: dict[str, str] = {}
    for i, t in enumerate(items):
        path = _join("templates", i)
        if t is None:
            continue  # an include that failed; already reported
        problems = tpl.validate_template(t)
        for rel, msg in problems:
            c.add(f"{path}.{rel}" if rel else path, msg)
        if not isinstance(t, Mapping):
            continue
        code = t.get("code")
        if isinstance(code, str):
            if code in first:
                c.add(_join(path, "code"), f"范本编码 '{code}' 重复（已用于 {first[code]}）")
                continue
            first[code] = path
            known[code] = t.get("applies_to")
        if not problems:
            full = tpl.with_defaults(t)
            full["clauses"] = tpl.flatten_clauses(full)
            valid.append(full)
    return valid, known


def _institutions(items: Any, templates: dict[str, Any], c: _Checker,
                  emails: dict[str, str]) -> list[dict]:
    if items is None:
        return []
    if not isinstance(items, list):
        c.add("institutions", "institutions 应为机构列表")
        return []
    out: list[dict] = []
    codes: dict[str, str] = {}
    credit_codes: dict[str, str] = {}
    numbers: dict[str, str] = {}
    for i, inst in enumerate(items):
        path = _join("institutions", i)
        if not c.keys(inst, path, INSTITUTION_KEYS, "机构"):
            continue
        code = c.text(inst, "code", path, "机构编码")
        if code is not None:
            if not INSTITUTION_CODE_RE.match(code):
                c.add(_join(path, "code"), f"机构编码 '{code}' 格式不正确（字母、数字、-、_、.，"
                                           "不超过 40 位）")
            elif code in codes:
                c.add(_join(path, "code"), f"机构编码 '{code}' 重复（已用于 {codes[code]}）")
            else:
                codes[code] = path
        name = c.text(inst, "name", path, "机构名称")

        kind = inst.get("kind")
        if kind is not None and kind not in INSTITUTION_KINDS:
            c.add(_join(path, "kind"), f"未知机构类型 '{kind}'"
                                       f"（应为 {' / '.join(INSTITUTION_KINDS)}）")
            kind_ok = False
        else:
            kind_ok = kind is not None

        level = inst.get("level")
        if level is not None:
            if not isinstance(level, str) or not LEVEL_RE.match(level.strip()):
                c.add(_join(path, "level"), f"医院等级 '{level}' 不正确（应为 一级 / 二级 / 三级，"
                                            "可带 甲等 / 乙等 / 丙等，如 三级甲等）")
                level = None
            else:
                level = level.strip()
        elif kind == "hospital":
            c.add(path, "医院必须填写等级 level（一级 / 二级 / 三级，可带 甲等 / 乙等 / 丙等）")

        credit = inst.get("credit_code")
        if credit is not None:
            if not isinstance(credit, str) or not CREDIT_CODE_RE.match(credit.strip()):
                hint = "（请加引号）" if isinstance(credit, int) else ""
                c.add(_join(path, "credit_code"),
                      f"统一社会信用代码 '{credit}' 格式不正确{hint}（应为 18 位：数字或大写字母，"
                      "不含 I、O、Z、S、V，第 3-8 位为行政区划代码）")
                credit = None
            else:
                credit = credit.strip()
                if credit in credit_codes:
                    c.add(_join(path, "credit_code"),
                          f"统一社会信用代码 '{credit}' 重复（已用于 {credit_codes[credit]}）")
                else:
                    credit_codes[credit] = _join(path, "credit_code")
        address = c.text(inst, "address", path, "地址")
        people = _people(inst, path, c)

        users = _users(inst.get("users"), _join(path, "users"), INSTITUTION_ROLES, c, emails,
                       bureau=False)
        agreement = _agreement(inst.get("agreement"), _join(path, "agreement"),
                               kind if kind_ok else None, templates, numbers, c)
        out.append({"code": code, "name": name, "kind": kind, "level": level,
                    "credit_code": credit, "address": address, "users": users,
                    "agreement": agreement, **people})
    return out


def _people(inst: Mapping, path: str, c) -> dict:
    """公立/非公立 and the two leading persons (a rescission bars them by ID number)."""
    ownership = inst.get("ownership")
    if ownership is not None and ownership not in OWNERSHIPS:
        c.add(_join(path, "ownership"), f"机构性质 '{ownership}' 不正确（应为 public 公立 / "
                                        "private 非公立）")
        ownership = None
    out = {"ownership": ownership, "district": c.text(inst, "district", path, "所属区县/街道")}
    for key, label in (("legal_representative", "法定代表人"), ("main_officer", "主要负责人")):
        out[key] = c.text(inst, key, path, label)
        number = c.text(inst, f"{key}_id", path, f"{label}身份证号码")
        if number is not None and not ID_NUMBER_RE.match(number):
            c.add(_join(path, f"{key}_id"), f"{label}身份证号码格式不正确（应为 18 位，末位可为 X）")
            number = None
        out[f"{key}_id"] = number
    return out


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _agreement(ag: Any, path: str, kind: str | None, templates: dict[str, Any],
               numbers: dict[str, str], c: _Checker) -> dict | None:
    if ag is None:
        return None
    if not c.keys(ag, path, AGREEMENT_KEYS, "协议"):
        return None
    code = ag.get("template")
    if code is not None:
        if code not in templates and c.unloaded_templates:
            pass  # probably in a template file that failed to load (reported above)
        elif code not in templates:
            defined = ", ".join(templates) or "无"
            c.add(_join(path, "template"),
                  f"协议范本 '{code}' 未在本 spec 的 templates 中定义（已定义：{defined}）")
        elif kind is not None and isinstance(templates[code], list) \
                and kind not in templates[code]:
            c.add(_join(path, "template"),
                  f"协议范本 '{code}' 不适用于 {kind}（{KIND_LABELS_ZH[kind]}）类机构"
                  f"（适用于 {' / '.join(map(str, templates[code]))}）")
    number = c.text(ag, "number", path, "协议编号")
    if number is not None:
        if number in numbers:
            c.add(_join(path, "number"), f"协议编号 '{number}' 重复（已用于 {numbers[number]}）")
        else:
            numbers[number] = _join(path, "number")
    dates: dict[str, dt.date] = {}
    for key, label in (("start", "起始日期"), ("end", "终止日期")):
        raw = ag.get(key)
        if raw is None:
            continue
        value = _as_date(raw)
        if value is None:
            c.add(_join(path, key), f"协议{label} {key} '{raw}' 不是有效日期（应为 YYYY-MM-DD）")
        else:
            dates[key] = value
    if "start" in dates and "end" in dates and not dates["start"] < dates["end"]:
        c.add(_join(path, "end"), f"协议终止日期 end（{dates['end']}）应晚于起始日期 start"
                                  f"（{dates['start']}）")
    return {"template": code, "number": number, "start": dates.get("start"),
            "end": dates.get("end")}

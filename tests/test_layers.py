"""The layers import downwards only: services and domain rules never reach up into the
views (saas.api, saas.web, dash_app) or the request, so a job or the CLI can call them."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VIEWS = ("saas.api", "saas.web", "dash_app")
#: What only a request has: a service is handed plain values instead.
REQUEST_NAMES = {("flask", "request"), ("flask", "session"), ("flask", "g"),
                 ("flask_login", "current_user")}


def imports(path: Path) -> list[tuple[str, str | None, int]]:
    """(module, imported name or None, line) of every import, at any depth, so
    ``from saas import web`` is ("saas", "web") and ``import saas.web`` ("saas.web", None)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, None, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: relative import"
            found += [(node.module, alias.name, node.lineno) for alias in node.names]
    return found


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _under(module: str, packages) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def view_or_request(module: str, name: str | None) -> bool:
    full = f"{module}.{name}" if name else module
    return _under(full, VIEWS) or (module, name) in REQUEST_NAMES


def test_the_check_sees_every_spelling(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import json\nfrom saas import web\n\n\ndef f():\n"
                      "    from saas.web.labels import LABELS\n    import saas.api.common\n"
                      "from flask import current_app, request\nfrom saas.services import base\n")
    found = [(m, n) for m, n, _ in imports(sample) if view_or_request(m, n)]
    assert found == [("saas", "web"), ("flask", "request"), ("saas.web.labels", "LABELS"),
                     ("saas.api.common", None)]


@pytest.mark.parametrize("folder", ["saas/services", "saas/domain", "saas/jobs"])
def test_no_use_case_imports_a_view_or_the_request(folder):
    wrong = [f"{path.relative_to(ROOT)}:{line} imports {module}{'.' + name if name else ''}"
             for path in modules(folder) for module, name, line in imports(path)
             if view_or_request(module, name)]
    assert not wrong, "\n".join(wrong)


def test_domain_rules_are_plain_python():
    """saas.domain imports the standard library, itself and the holiday table only."""
    allowed = ("saas.domain", "chinese_calendar", *sys.stdlib_module_names, "__future__")
    wrong = [f"{path.relative_to(ROOT)}:{line} imports {module}"
             for path in modules("saas/domain") for module, _, line in imports(path)
             if not _under(module, allowed)]
    assert not wrong, "\n".join(wrong)


def test_perspectives_and_directions_are_spelled_once():
    """The four perspectives and three directions live in saas.domain.scoring; everything
    else imports them (the seed data for benchmarks is the one exception)."""
    import re

    spelled = re.compile(r"""["']financial["'],\s*["']patient["']|["']lower_better["'],\s*["']higher""")
    home = ROOT / "saas" / "domain" / "scoring.py"
    found = [path for path in (ROOT / "saas").rglob("*") if path.suffix in (".py", ".html")
             and path != home and spelled.search(path.read_text(encoding="utf-8"))]
    assert found == []

"""The dashboards read through the read models, never through a view module: nothing that
dash_app imports, directly or through the modules it imports, is in saas.web or saas.api."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = ("saas", "tenants", "dash_app")
VIEWS = ("saas.web", "saas.api")


def _file_of(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def _imports(module: str) -> set[str]:
    """First-party modules named by the import statements of ``module`` (anywhere in it,
    function-level imports too). ``from a import b`` names ``a.b`` when that is a module."""
    path = _file_of(module)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names
                         if _file_of(f"{base}.{alias.name}"))
    return {m for m in found if m.split(".")[0] in FIRST_PARTY and _file_of(m)}


def reachable(start: list[str]) -> dict[str, str]:
    """Every first-party module reachable from ``start``, with the module that imports it."""
    seen: dict[str, str] = {m: "" for m in start}
    todo = list(start)
    while todo:
        module = todo.pop()
        for name in _imports(module):
            if name not in seen:
                seen[name] = module
                todo.append(name)
    return seen


def _chain(seen: dict[str, str], module: str) -> str:
    chain = [module]
    while seen[chain[-1]]:
        chain.append(seen[chain[-1]])
    return " <- ".join(chain)


def test_dash_app_reaches_no_view_module():
    start = sorted(".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                   for p in (ROOT / "dash_app").rglob("*.py"))
    assert "dash_app.pages.overview" in start
    seen = reachable(start)
    assert "saas.services.analytics" in seen  # the walk does follow dash_app's imports
    leaks = [_chain(seen, m) for m in seen if m.startswith(VIEWS)]
    assert not leaks, leaks


def test_the_walk_finds_a_view_import():
    """The check can fail: the web package's own modules reach saas.web."""
    seen = reachable(["saas.web.institutions"])
    assert "saas.web" in seen and "saas.labels" in seen

"""Dependencies point one way: ``core`` imports no feature app, and ``activity`` (which every
app writes to) imports no other app's views, forms or admin."""

from __future__ import annotations

import ast
from pathlib import Path

import compliance_hub

ROOT = Path(compliance_hub.__file__).parent
FEATURE_APPS = {p.name for p in ROOT.iterdir() if (p / "apps.py").exists() and p.name != "core"}


def imports(app: str) -> list[tuple[str, str]]:
    """(file, imported module) for every ``compliance_hub.*`` import in ``app``."""
    found = []
    for path in (ROOT / app).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            found += [(path.name, n) for n in names if n.startswith("compliance_hub.")]
    return found


def test_core_imports_no_feature_app():
    assert {"accounts", "certificates", "facilities", "demo"} <= FEATURE_APPS
    leaks = [(f, m) for f, m in imports("core") if m.split(".")[1] in FEATURE_APPS]
    assert leaks == []


def test_activity_imports_no_other_apps_views_forms_or_admin():
    leaks = [
        (f, m)
        for f, m in imports("activity")
        if m.split(".")[1] not in ("activity", "core")
        and {"views", "forms", "admin", "console"} & set(m.split("."))
    ]
    assert leaks == []

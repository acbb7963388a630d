"""`make audit-deps` fails on a known vulnerability that has a fix, lists one without a fix, and says
plainly, without failing, when the vulnerability database could not be reached."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit_deps.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_deps", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _report(*deps: dict[str, object]) -> str:
    return json.dumps({"dependencies": list(deps), "fixes": []})


def test_a_vulnerability_with_a_fix_fails_the_audit_and_names_the_fix() -> None:
    v = _script().verdict(1, _report(
        {"name": "jinja2", "version": "3.1.2", "vulns": [{"id": "GHSA-h5c8", "fix_versions": ["3.1.3"]}]},
        {"name": "fastapi", "version": "0.115.0", "vulns": []}), "")
    assert v.exit_code == 1
    assert "jinja2 3.1.2: GHSA-h5c8 (fixed in 3.1.3)" in v.lines[0]


def test_a_vulnerability_without_a_fix_is_listed_but_does_not_fail() -> None:
    v = _script().verdict(1, _report(
        {"name": "ecdsa", "version": "0.19.0", "vulns": [{"id": "PYSEC-1", "fix_versions": []}]}), "")
    assert v.exit_code == 0 and "watch it" in v.lines[0]


def test_an_unreachable_database_is_said_and_is_not_a_pass_nor_a_failure() -> None:
    reason = "Dependency not found on PyPI and could not be audited: jinja2"
    skipped: dict[str, object] = {"name": "jinja2", "skip_reason": reason}
    v = _script().verdict(0, _report(skipped), "")
    assert v.exit_code == 0
    assert v.lines == ["vulnerability database unreachable for 1 of 1 packages: those were not audited "
                       "(not a pass)"]
    offline = _script().verdict(1, "", "requests.exceptions.ConnectionError: Max retries exceeded")
    assert offline.exit_code == 0 and "unreachable" in offline.lines[0]


def test_pip_audit_failing_for_another_reason_fails_the_target() -> None:
    assert _script().verdict(2, "", "error: invalid requirement 'x=='").exit_code == 2

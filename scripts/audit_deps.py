"""`make audit-deps`: audit the installed dependencies for known vulnerabilities with pip-audit.

Fails (exit 1) on a known vulnerability that has a fixed release to move to. A vulnerability with no fix
yet is listed but does not fail: nothing can be done but watch it. Where the vulnerability database
cannot be reached (machines without internet), pip-audit marks the packages it could not look up; this
says so, names how many, and does not fail: an audit that did not run is not a pass, but it is not a
finding either, and CI does not depend on it.

Usage: python scripts/audit_deps.py REQUIREMENTS_FILE [PIP_AUDIT_EXECUTABLE]
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

UNREACHABLE_MARKS = ("not found on pypi", "connection", "max retries", "timed out", "name resolution",
                     "temporary failure", "network is unreachable")


@dataclass
class Verdict:
    exit_code: int
    lines: list[str] = field(default_factory=list)


def verdict(returncode: int, stdout: str, stderr: str) -> Verdict:
    """What pip-audit's answer means for the build."""
    try:
        report: dict[str, Any] = json.loads(stdout)
    except json.JSONDecodeError:
        if any(mark in stderr.lower() for mark in UNREACHABLE_MARKS):
            return Verdict(0, ["vulnerability database unreachable: no package was audited (not a pass)"])
        return Verdict(2, [f"pip-audit failed (exit {returncode}): {stderr.strip()[-500:]}"])
    deps = report.get("dependencies", [])
    unreachable = [d["name"] for d in deps if any(m in str(d.get("skip_reason", "")).lower()
                                                  for m in UNREACHABLE_MARKS)]
    fixable: list[str] = []
    unfixed: list[str] = []
    for dep in deps:
        for vuln in dep.get("vulns", []):
            line = f"{dep['name']} {dep.get('version', '?')}: {vuln['id']}"
            if vuln.get("fix_versions"):
                fixable.append(f"{line} (fixed in {', '.join(vuln['fix_versions'])})")
            else:
                unfixed.append(f"{line} (no fix released yet)")
    lines = [f"known vulnerability with a fix: {x}" for x in fixable]
    lines += [f"known vulnerability, watch it: {x}" for x in unfixed]
    if unreachable:
        lines.append(f"vulnerability database unreachable for {len(unreachable)} of {len(deps)} packages: "
                     "those were not audited (not a pass)")
    audited = len(deps) - len(unreachable)
    if not fixable and audited:
        lines.append(f"{audited} packages audited: no known vulnerability with a fix")
    return Verdict(1 if fixable else 0, lines)


def main(argv: list[str]) -> int:
    requirements = argv[1]
    executable = argv[2] if len(argv) > 2 else "pip-audit"
    done = subprocess.run([executable, "--requirement", requirements, "--no-deps", "--disable-pip",
                           "--format", "json", "--progress-spinner", "off"],
                          capture_output=True, text=True, check=False)
    result = verdict(done.returncode, done.stdout, done.stderr)
    for line in result.lines:
        print(line)
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv))

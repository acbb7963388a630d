"""The systemd units in docs/deploy are ones systemd accepts as written (every key known, every value
valid), every unit that runs `homecare` runs it as the web server does (same user, settings, data
folder), and each daily job has its timer; test_wheel.py runs their ExecStart."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from app.settings import PROJECT_DIR

DEPLOY = PROJECT_DIR / "docs" / "deploy"
UNITS = sorted(p.name for p in DEPLOY.glob("homecare*.service")) + sorted(
    p.name for p in DEPLOY.glob("homecare*.timer"))
HOMECARE = "/opt/homecare/venv/bin/homecare"


def _keys(unit: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in (DEPLOY / unit).read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            out.setdefault(key.strip(), []).append(value.strip())
    return out


def test_the_daily_jobs_are_shipped_each_with_its_timer() -> None:
    services = {u.removesuffix(".service") for u in UNITS if u.endswith(".service")}
    timers = {u.removesuffix(".timer") for u in UNITS if u.endswith(".timer")}
    assert {"homecare-prune-access-log", "homecare-anonymise-ended"} <= timers
    assert timers <= services
    for name in timers:
        assert _keys(f"{name}.service")["Type"] == ["oneshot"]
        assert _keys(f"{name}.timer")["OnCalendar"] == ["daily"]


@pytest.mark.parametrize("unit", [u for u in UNITS if u.endswith(".service") and u != "homecare.service"])
def test_every_unit_runs_homecare_as_the_web_server_does(unit: str) -> None:
    """A unit with another data folder (or none: the homecare user's home) would prune, anonymise or
    solve on a database of its own, not the server's."""
    server, this = _keys("homecare.service"), _keys(unit)
    for key in ("User", "Group", "EnvironmentFile", "Environment", "WorkingDirectory", "ReadWritePaths"):
        assert this.get(key) == server.get(key), f"{unit}: {key}"
    assert this["ExecStart"][0].startswith(f"{HOMECARE} ")


@pytest.mark.parametrize("unit", UNITS)
def test_systemd_accepts_the_unit(unit: str, tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is absent (Debian's systemd package)")
    env = tmp_path / "homecare.env"
    env.write_text((DEPLOY / "homecare.env").read_text())
    # The program and the settings file at their installed places do not exist here: /bin/true stands in.
    for name in UNITS:  # a timer is checked beside the service it starts
        text = (DEPLOY / name).read_text()
        if name.endswith(".service"):
            for installed, here in ((HOMECARE, "/bin/true"), ("/etc/homecare/homecare.env", str(env))):
                assert installed in text, f"{name}: {installed}"
                text = text.replace(installed, here)
        (tmp_path / name).write_text(text)
    checked = subprocess.run([analyze, "verify", str(tmp_path / unit)], capture_output=True, text=True,
                             timeout=60, check=False)
    assert checked.returncode == 0 and checked.stderr.strip() == "", checked.stderr

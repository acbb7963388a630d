"""The systemd units in docs/deploy are ones systemd accepts as written (every key known, every value
valid); test_wheel.py runs their ExecStart."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from app.settings import PROJECT_DIR

DEPLOY = PROJECT_DIR / "docs" / "deploy"


@pytest.mark.parametrize("unit", ["homecare.service", "homecare-worker.service"])
def test_systemd_accepts_the_unit(unit: str, tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is absent (Debian's systemd package)")
    env = tmp_path / "homecare.env"
    env.write_text((DEPLOY / "homecare.env").read_text())
    # The program and the settings file at their installed places do not exist here: /bin/true stands in.
    text = (DEPLOY / unit).read_text()
    for installed, here in (("/opt/homecare/venv/bin/homecare", "/bin/true"),
                            ("/etc/homecare/homecare.env", str(env))):
        assert installed in text
        text = text.replace(installed, here)
    (tmp_path / unit).write_text(text)
    checked = subprocess.run([analyze, "verify", str(tmp_path / unit)], capture_output=True, text=True,
                             timeout=60, check=False)
    assert checked.returncode == 0 and checked.stderr.strip() == "", checked.stderr

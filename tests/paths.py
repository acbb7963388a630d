"""Where test material comes from.

The project's own: instances made by exchange/generator.py (`generated_instance`), written once per
test session into a temporary folder, and the planner's final check (tests/checks.py).

The team's shared material (reference instances, verifier, apply_changes) lies in ../shared beside the
project, or at $HOMECARE_SHARED. Only tests marked `shared` read it, to compare the project with the
team's reference tools; without it they skip saying why (tests/conftest.py).
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import tempfile
from pathlib import Path

from exchange.generator import generate

PROJECT_DIR = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("HOMECARE_SHARED") or PROJECT_DIR.parent / "shared")
INSTANCES = SHARED / "instances"
VERIFIER = SHARED / "tools" / "verify_plan.py"
APPLY_CHANGES = SHARED / "tools" / "apply_changes.py"
SHARED_PRESENT = VERIFIER.is_file() and APPLY_CHANGES.is_file()
SHARED_MISSING = (f"needs the team's shared tools at {SHARED} (../shared beside the project or "
                  "$HOMECARE_SHARED); the project's own check covers the rest")


@functools.cache
def _folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="homecare-instances-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


@functools.cache
def generated_instance(family: str = "team", size: str = "s", seed: int = 1) -> Path:
    """The file of `homecare generate --family FAMILY --size SIZE --seed SEED`, made once per session.

    The default, a one-team urban instance over two weeks (~700 visits), is what most tests plan.
    """
    path = _folder() / f"{family}-{size}-{seed}.json"
    path.write_text(json.dumps(generate(family, size, seed)), encoding="utf-8")
    return path


def load_generated(family: str = "team", size: str = "s", seed: int = 1) -> dict[str, object]:
    data: dict[str, object] = json.loads(generated_instance(family, size, seed).read_text(encoding="utf-8"))
    return data

"""Where the shared material lies: ../shared beside the project (as CI lays it out), or $HOMECARE_SHARED."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("HOMECARE_SHARED") or PROJECT_DIR.parent / "shared")
INSTANCES = SHARED / "instances"
VERIFIER = SHARED / "tools" / "verify_plan.py"
APPLY_CHANGES = SHARED / "tools" / "apply_changes.py"

"""Every ORM model, so `Base.metadata` is complete (Alembic's env.py and the tests import this).

One module per area; each is imported explicitly here. When a colleague adds an area module,
add its import below (and its migration in migrations/versions/).
"""

from __future__ import annotations

import importlib.util

from models import core  # noqa: F401  (issue 3: teams, carers, citizens, needs, visits, plans, users)
from models.base import Base
from models.core import *  # noqa: F403

# Colleagues' areas, imported as they appear (a missing module is not an error while they write it).
AREA_MODULES = (
    "models.jobs",  # issue 8/4: plan jobs
    "models.adjustments",  # issue 5: adjustments
    "models.performed",  # issue 6: performed visits
)
for _name in AREA_MODULES:
    if importlib.util.find_spec(_name) is not None:
        importlib.import_module(_name)

metadata = Base.metadata

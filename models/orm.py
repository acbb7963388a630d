"""Every ORM model, so `Base.metadata` is complete (Alembic's env.py and the tests import this).

One module per area, each imported explicitly below. A new area module: add its import here and
its migration in migrations/versions/ (tests/api/test_migrations.py checks the two agree).
"""

from __future__ import annotations

from models import (
    adjustments,  # noqa: F401  (change log, re-plan previews, plan heads)
    core,  # noqa: F401  (teams, carers, citizens, needs, visits, plans, users)
    jobs,  # noqa: F401  (plan jobs and their parts)
    performed,  # noqa: F401  (performed visits)
    security,  # noqa: F401  (failed sign-ins)
    team_data,  # noqa: F401  (roster patterns, change records, assignments needing a re-plan)
    team_settings,  # noqa: F401  (a team's planning defaults: its continuity setting)
)
from models.base import Base
from models.core import *  # noqa: F403

metadata = Base.metadata

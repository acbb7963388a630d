"""The bench is a list of sections; each measures one thing and reports it the same way.

Contract for a section (a module ``bench/<name>.py``):

    TITLE = "Planner and peers"            # optional: the heading in RESULTS.md (default: the name)

    def run(args: argparse.Namespace) -> tuple[dict, str]:
        ...
        return result, markdown

``args`` carries the harness options every section may read:
    ``args.instances``   list of instance short names (``team-s`` ...; bench.common.instance_path maps
                         them to files),
    ``args.quick``       True for a short smoke run (small sizes, small time limits: keep it under a
                         minute or two),
    ``args.results_dir`` a pathlib.Path (default bench/results); write any extra files (plans, logs)
                         under ``args.results_dir / <name>/`` or a subfolder you own,
    ``args.sections``    the section names chosen for this run.
``result`` must be JSON-ready; it is stored in results.json under ``sections.<name>``.
``markdown`` is the section's part of RESULTS.md (tables, a line per target with PASS/FAIL); the
harness adds the heading and prints it. Report failures in the result and markdown instead of
raising; if a section raises anyway, the harness records the traceback and runs the next one.
Progress bars: tqdm on stderr. Shared helpers (verifier, child processes with peak memory,
Markdown tables): bench/common.py.

To add a section, create the module and make sure its name is in ``SECTIONS`` below. A name whose
module does not exist yet is skipped with the note "section <name> not available".
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType

SECTIONS: list[str] = [
    "planner",    # our planner vs the peers on each instance (bench/planner.py)
    "replan",     # re-plan scenarios (bench/replan.py)
    "audit",      # audit timing (bench/audit.py)
    "import_xl",  # import timing on municipality-xl (bench/import_xl.py)
    "rota_page",  # rota page render time (bench/rota_page.py)
    "scaleout",   # celery scale-out (bench/scaleout.py)
    "load",       # Locust load on real server processes, with a database outage (bench/load.py)
    "fair_load",  # fair load in the search, off against on, step-counted (bench/fair_load.py)
    "rules",      # the optional rules on team-m-rules: ours and the routing peer with them (bench/rules.py)
    "coordinator_help",  # who could take a visit, where a new citizen fits: timed on a planned team
    "contacts",   # contact-carer proposals: a fresh plan with today's contacts and with the proposed ones
    "team_data",  # the team's own data: sheet import at municipality size, a need edited (bench/team_data.py)
    "continuity_curve",  # each continuity setting, step-counted (bench/continuity_curve.py)
]


def available(name: str) -> bool:
    return importlib.util.find_spec(f"bench.{name}") is not None


def load(name: str) -> ModuleType | None:
    """The section's module, or None (with a printed note) when it does not exist yet."""
    if not available(name):
        print(f"section {name} not available", file=sys.stderr)
        return None
    return importlib.import_module(f"bench.{name}")


def title(name: str, module: ModuleType | None) -> str:
    return str(getattr(module, "TITLE", name))

"""Bench section `import_xl`: import municipality-xl (56k visits) into a fresh SQLite file.

Measures, in a child process (its own peak memory): migrating the empty file, parsing the JSON,
`app.services.exchange.import_instance` (bulk executemany inserts, one transaction) with the commit,
and exporting it back (checked equal, as sets, to the file). Target: the import under 60 s.

    python -m bench --sections import_xl              # municipality-xl
    python -m bench --sections import_xl --quick      # team-m instead (a smoke run)
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path
from typing import Any

TITLE = "Import of municipality-xl"
TARGET_SECONDS = 60.0


def _frozen(doc: dict[str, Any], key: str) -> set[str]:
    rows = []
    for row in doc[key]:
        row = dict(row)
        for k, v in list(row.items()):
            if isinstance(v, list):
                row[k] = sorted(json.dumps(x, sort_keys=True) for x in v)
        if key == "citizens":
            row.setdefault("avoid", [])
        rows.append(json.dumps(row, sort_keys=True))
    return set(rows)


def measure(instance: str, db_file: str) -> dict[str, Any]:
    """Runs in a fresh interpreter: every step timed on its own."""
    from sqlalchemy.orm import Session

    from app.db import make_engine
    from app.migrate import upgrade_head
    from app.services.exchange import export_instance, import_instance
    from exchange import parse_instance

    out: dict[str, Any] = {}
    engine = make_engine(f"sqlite:///{db_file}")
    t = time.perf_counter()
    upgrade_head(engine)
    out["migrate_s"] = time.perf_counter() - t

    t = time.perf_counter()
    with open(instance, encoding="utf-8") as f:
        data = json.load(f)
    doc = parse_instance(data)
    out["parse_s"] = time.perf_counter() - t

    t = time.perf_counter()
    with Session(engine) as session:
        result = import_instance(session, data=None, doc=doc, user=None)
        session.commit()
    out["import_s"] = time.perf_counter() - t
    out["created"] = result.created

    t = time.perf_counter()
    with Session(engine) as session:
        exported = export_instance(session, team_ids=result.team_ids)
    out["export_s"] = time.perf_counter() - t
    out["round_trip_equal"] = all(_frozen(exported, k) == _frozen(data, k)
                                  for k in ("teams", "carers", "citizens", "visits"))
    out["db_mib"] = Path(db_file).stat().st_size / 2**20
    engine.dispose()
    return out


def run(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    from bench.common import instance_path, md_table, run_in_child

    name = "team-m" if getattr(args, "quick", False) else "municipality-xl"
    path = instance_path(name)
    work = Path(getattr(args, "results_dir", Path("bench/results"))) / "import_xl"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    db_file = work / "import.db"
    run_ = run_in_child(measure, str(path), str(db_file), timeout=900)
    db_file.unlink(missing_ok=True)
    if not run_.ok:
        result = {"instance": name, "ok": False, "error": run_.error}
        return result, f"**FAIL**: the import did not finish: `{run_.error.strip().splitlines()[-1]}`"
    r = dict(run_.result)
    r.update(instance=name, ok=True, peak_rss_mib=round(run_.peak_rss_mib, 1))
    passed = r["import_s"] < TARGET_SECONDS
    r["target_s"] = TARGET_SECONDS
    r["pass"] = passed
    c = r["created"]
    rows = [[name, f"{c.get('visits', 0):,}", f"{c.get('shifts', 0):,}", f"{r['parse_s']:.1f}",
             f"{r['import_s']:.1f}", f"{r['export_s']:.1f}", "yes" if r["round_trip_equal"] else "NO",
             f"{r['peak_rss_mib']:.0f}", f"{r['db_mib']:.1f}"]]
    md = md_table(["instance", "visits", "shifts", "parse s", "import s (incl. commit)", "export s",
                   "export = file", "peak MiB", "SQLite MiB"], rows)
    md += (f"\n\nTarget: import under {TARGET_SECONDS:.0f} s into a fresh SQLite file: "
           f"**{'PASS' if passed else 'FAIL'}** ({r['import_s']:.1f} s; migrations {r['migrate_s']:.1f} s "
           f"not counted).")
    if not r["round_trip_equal"]:
        md += "\n\n**FAIL**: the export differs from the imported file."
    for k in ("migrate_s", "parse_s", "import_s", "export_s", "db_mib"):
        r[k] = round(r[k], 2)
    return r, md


if __name__ == "__main__":
    ns = argparse.Namespace(quick=False, results_dir=Path("bench/results"))
    res, text = run(ns)
    print(text)

"""`python -m bench` (`make bench`): run the bench sections, write bench/results/RESULTS.md and results.json.

    python -m bench                                  # every section, team-m, district-l, municipality-xl
    python -m bench --instances team-s,team-m --sections planner
    python -m bench --quick                          # smoke run: team-s, small time limits
    python -m bench --sections planner --families team,rural,tight --seeds 1,2   # several kinds of teams

Without ../shared the reference names (team-s ... municipality-xl) stand for generated urban teams of the
same size; `--families` adds generated instances (`homecare generate`) of those families and seeds, size m
(s with --quick; --size to choose). Each section's results name where its instances came from.

results.json keeps the latest result of every section (a run of only some sections updates those and
keeps the others); RESULTS.md is rebuilt from it and the freshly run part is printed to stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from bench import sections
from bench.common import KNOWN_INSTANCES, RESULTS_DIR, instance_path, instance_source
from exchange.generator import ALL_FAMILIES, SIZES

DEFAULT_INSTANCES = "team-m,district-l,municipality-xl"
QUICK_INSTANCES = "team-s"


def _csv(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    ap.add_argument("--instances", default=None,
                    help=f"comma-separated instance names or paths (default {DEFAULT_INSTANCES}; "
                         f"{QUICK_INSTANCES} with --quick); known: {', '.join(KNOWN_INSTANCES)}")
    ap.add_argument("--sections", default=",".join(sections.SECTIONS),
                    help=f"comma-separated sections to run (default all: {','.join(sections.SECTIONS)})")
    ap.add_argument("--quick", action="store_true", help="short smoke run: team-s, small time limits")
    ap.add_argument("--runs", type=int, default=None,
                    help="runs (seeds 0, 1, ...) of our planner per instance in the planner, fair_load and "
                         "rules sections (default: 3, once on municipality-xl and with --quick)")
    ap.add_argument("--families", default="",
                    help=f"comma-separated generated families to add ({', '.join(ALL_FAMILIES)}): a planner "
                         "change judged on several kinds of teams")
    ap.add_argument("--seeds", default="1",
                    help="comma-separated seeds of the --families instances (default 1)")
    ap.add_argument("--size", choices=list(SIZES), default=None,
                    help="size of the --families instances (default m; s with --quick)")
    ap.add_argument("--results-dir", type=Path, default=RESULTS_DIR,
                    help="where RESULTS.md, results.json and plans/ go (default bench/results)")
    args = ap.parse_args(argv)
    families = _csv(args.families)
    unknown_families = [f for f in families if f not in ALL_FAMILIES]
    if unknown_families:
        ap.error(f"unknown families {unknown_families}; choose from {list(ALL_FAMILIES)}")
    try:
        seeds = [int(x) for x in _csv(args.seeds)]
    except ValueError:
        ap.error(f"--seeds must be whole numbers, not {args.seeds!r}")
    size = args.size or ("s" if args.quick else "m")
    generated = [f"{family}-{size}-{seed}" for family in families for seed in seeds]
    # --families alone judges those; with --instances (or by default without --families) both.
    default = "" if generated else QUICK_INSTANCES if args.quick else DEFAULT_INSTANCES
    named = _csv(args.instances or default)
    args.instances = named + [g for g in generated if g not in named]
    args.sections = _csv(args.sections)
    unknown = [s for s in args.sections if s not in sections.SECTIONS]
    if unknown:
        ap.error(f"unknown sections {unknown}; choose from {sections.SECTIONS}")
    missing = [i for i in args.instances if not instance_path(i).exists()]
    if missing:
        ap.error(f"no instance file for {missing} (looked in {instance_path('x').parent})")
    return args


def render(results: dict[str, Any]) -> str:
    head = ["# Benchmark results", "",
            f"Updated {results.get('updated', '')}; machine: {results.get('machine', '')}.", ""]
    body = []
    for name in sections.SECTIONS:
        entry = results.get("sections", {}).get(name)
        if entry is None:
            continue
        meta = f"_run {entry.get('finished', '')}, instances {', '.join(entry.get('instances', []))}" \
               f"{', quick' if entry.get('quick') else ''}, {entry.get('seconds', 0):.0f} s_"
        generated = {i: src for i, src in entry.get("sources", {}).items() if src.startswith("generated")}
        if generated:
            meta += "\n\nGenerated instances (no ../shared reference file): " + "; ".join(
                f"{i} = `{src.removeprefix('generated: ')}`" for i, src in generated.items())
        body.append(f"## {entry.get('title', name)}\n\n{meta}\n\n{entry.get('markdown', '')}")
    return "\n".join(head) + "\n\n".join(body) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results_dir: Path = args.results_dir
    results_dir.mkdir(parents=True, exist_ok=True)
    json_path = results_dir / "results.json"
    try:
        results: dict[str, Any] = json.loads(json_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        results = {}
    results.setdefault("sections", {})
    printed = []
    for name in args.sections:
        module = sections.load(name)
        if module is None:
            continue
        t0 = time.perf_counter()
        try:
            data, markdown = module.run(args)
        except Exception:  # a broken section must not lose the others' results
            tb = traceback.format_exc()
            print(f"section {name} failed:\n{tb}", file=sys.stderr)
            data, markdown = {"error": tb}, f"**section failed**: `{tb.strip().splitlines()[-1]}`"
        # A section with an instance of its own (the rules section's team-m-rules) names it, not --instances.
        own = data.get("instance") if isinstance(data, dict) else None
        ran_on = [own] if isinstance(own, str) else list(args.instances)
        results["sections"][name] = {
            "title": sections.title(name, module),
            "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "seconds": round(time.perf_counter() - t0, 1), "instances": ran_on,
            "sources": {i: instance_source(i) for i in ran_on},
            "quick": args.quick, "result": data, "markdown": markdown,
        }
        printed.append(f"## {sections.title(name, module)}\n\n{markdown}")
        # Write after every section, so a long run that is interrupted keeps what it finished.
        results["updated"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        results["machine"] = f"{platform.node()} {platform.machine()}, Python {platform.python_version()}"
        json_path.write_text(json.dumps(results, indent=1), encoding="utf-8")
        (results_dir / "RESULTS.md").write_text(render(results), encoding="utf-8")
    if not printed:
        print("no section ran", file=sys.stderr)
        return 1
    print("\n\n".join(printed))
    print(f"\nwritten: {results_dir / 'RESULTS.md'}, {json_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

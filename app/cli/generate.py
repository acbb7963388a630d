"""`homecare generate --family F --size S --seed N [--rules] OUT.json`: a made-up instance file to plan.

Writes homecare-instance/1 (FORMAT.md) from exchange/generator.py: the same family, size and seed give
the same file on any machine, so tests and the benchmark need nothing beside the project. An unknown
family or size is refused with exit status 2 before anything is written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from exchange import generator
from exchange.generator import ALL_FAMILIES, RULES_SUFFIX, SIZES

app = typer.Typer()  # its commands are registered in app/cli/__init__.py


@app.command()
def generate(
    output: Annotated[Path, typer.Argument(help="Instance file to write (homecare-instance/1).")],
    family: Annotated[str, typer.Option(
        "--family", help=f"Kind of team: {', '.join(ALL_FAMILIES)}.")] = "team",
    size: Annotated[str, typer.Option(
        "--size", help="s (one team, 2 weeks), m (one team, 4 weeks), l (4 teams), xl (20 teams).")] = "s",
    seed: Annotated[int, typer.Option("--seed", help="The same seed gives the same instance.")] = 1,
    rules: Annotated[bool, typer.Option(
        "--rules", help="Add the optional rules: walking and cycling carers, break windows, spaced visits, "
                        "priorities (the same as FAMILY-rules).")] = False,
) -> None:
    """Write a made-up home-care instance of FAMILY and SIZE, from SEED."""
    if family not in ALL_FAMILIES:
        typer.echo(f"homecare generate: --family must be one of {', '.join(ALL_FAMILIES)}, not {family!r}",
                   err=True)
        raise typer.Exit(code=2)
    if rules and not family.endswith(RULES_SUFFIX):
        family += RULES_SUFFIX
        if family not in ALL_FAMILIES:  # the strict families come without the optional rules
            plain = family.removesuffix(RULES_SUFFIX)
            typer.echo(f"homecare generate: --rules is not made for --family {plain}", err=True)
            raise typer.Exit(code=2)
    if size not in SIZES:
        typer.echo(f"homecare generate: --size must be one of {', '.join(SIZES)}, not {size!r}", err=True)
        raise typer.Exit(code=2)
    doc = generator.generate(family, size, seed)
    try:
        output.write_text(json.dumps(doc), encoding="utf-8")
    except OSError as e:
        typer.echo(f"homecare generate: cannot write {output}: {e.strerror or e}", err=True)
        raise typer.Exit(code=2) from None
    typer.echo(f"{output}: {doc['name']}, {len(doc['teams'])} team(s), {len(doc['carers'])} carers, "
               f"{len(doc['citizens'])} citizens, {len(doc['visits'])} visits over {doc['days']} days "
               f"from {doc['start_date']}")

"""The `homecare` command. Each sub-command lives in its own module under app/cli/."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="homecare",
    help="Home-care continuity planner: plan visits with few faces, steady times and low travel.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Registration order is the order `homecare --help` lists them in.
COMMAND_MODULES = (
    "app.cli.serve",  # serve, import, export, seed (issue 3)
    "app.cli.admin",  # create-admin, set-password
    "app.cli.plan",  # plan (issue 4)
    "app.cli.replan",  # replan (issue 5)
    "app.cli.audit",  # audit (issue 6)
    "app.cli.worker",  # worker (issue 8)
)


def main() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name)
    app()

"""The exchange format of FORMAT.md: homecare-instance/1 (`instance`), homecare-plan/1 (`plan`) and
homecare-changes/1 (`changes`), parsed strictly with every error at its JSON path, and the one mapping
between the files and the solver's types. Pure: no database, no web."""

from exchange.changes import ChangeSet, parse_change, parse_changes
from exchange.common import (
    CHANGES_FORMAT,
    INSTANCE_FORMAT,
    MAX_INT,
    MINUTES_PER_DAY,
    PLAN_FORMAT,
    Day,
    ExchangeError,
    Lines,
    OneLine,
    json_path,
    out_of_range,
)
from exchange.instance import InstanceDoc, parse_instance, problem_to_instance, to_problem
from exchange.plan import PlanDoc, parse_plan, plan_from_doc, plan_to_doc

__all__ = [
    "CHANGES_FORMAT",
    "INSTANCE_FORMAT",
    "MAX_INT",
    "MINUTES_PER_DAY",
    "PLAN_FORMAT",
    "ChangeSet",
    "Day",
    "ExchangeError",
    "InstanceDoc",
    "Lines",
    "OneLine",
    "PlanDoc",
    "json_path",
    "out_of_range",
    "parse_change",
    "parse_changes",
    "parse_instance",
    "parse_plan",
    "plan_from_doc",
    "plan_to_doc",
    "problem_to_instance",
    "to_problem",
]

"""The house as docs/ARCHITECTURE.md draws it: the planner stands alone, no module needs one that needs
it back (not even inside a function), and routers and pages leave queries to the repositories and the
commit to the request. Read from the source's imports, nothing is run."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("app", "solver", "models", "exchange")
STATEMENTS = {"select", "insert", "update", "delete"}  # what a query is made of


def _modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _type_only(tree: ast.Module) -> set[int]:
    """The import statements under `if TYPE_CHECKING:` (never run, so never part of a circle)."""
    return {id(node) for stmt in tree.body
            if isinstance(stmt, ast.If) and "TYPE_CHECKING" in ast.unparse(stmt.test)
            for node in ast.walk(stmt)}


def _imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the project's modules it imports, at the top or inside a function."""

    def ours(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _type_only(tree)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(parent + ([node.module] if node.module else []))
                # `from solver import rules` imports the module solver.rules, not only the package.
                names = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            else:
                continue
            found |= {target for name in names if (target := ours(name)) not in (None, module)}
        graph[module] = found
    return graph


def test_the_planner_imports_nothing_from_the_web_app_or_the_database() -> None:
    graph = _imports(_modules())
    reaching_out = {module: sorted(t for t in targets if t.split(".")[0] in ("app", "models"))
                    for module, targets in graph.items() if module.split(".")[0] == "solver"}
    assert {m: t for m, t in reaching_out.items() if t} == {}


def test_no_module_imports_one_that_imports_it_back_even_inside_a_function() -> None:
    graph = _imports(_modules())
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as e:
        raise AssertionError(f"an import circle: {' -> '.join(e.args[1])}") from None


def test_routers_and_pages_leave_queries_to_repositories_and_commits_to_the_request() -> None:
    rooms = sorted((ROOT / "app" / "api").glob("*.py")) + sorted((ROOT / "app" / "web").glob("pages_*.py"))
    assert len(rooms) > 20  # the routers and pages were found
    found = []
    for path in rooms:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.ImportFrom) and node.module == "sqlalchemy"
                    and STATEMENTS & {a.name for a in node.names}):
                found.append(f"{path.name}:{node.lineno} builds a query")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "commit"):
                found.append(f"{path.name}:{node.lineno} commits")
    assert found == []


# Handlers that must await something other than the form (the identity provider's answer); their
# database work is a sign-in's few rows.
AWAITING = {"pages_oidc.py:start", "pages_oidc.py:callback"}


def test_a_handler_that_reads_the_database_or_plans_does_not_run_on_the_event_loop() -> None:
    """A session's queries and a plan's solve block whatever thread runs them: in an `async def`
    handler that is the event loop, and every other request waits. Handlers are plain functions
    (FastAPI runs them in its thread pool); a form is read by the `FormFields` dependency."""
    rooms = sorted((ROOT / "app" / "api").glob("*.py")) + sorted((ROOT / "app" / "web").glob("pages_*.py"))
    found = []
    for path in rooms:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.AsyncFunctionDef) and f"{path.name}:{node.name}" not in AWAITING
                    and any(isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute)
                            and d.func.attr in {"get", "post", "put", "patch", "delete"}
                            for d in node.decorator_list)):
                found.append(f"{path.name}:{node.lineno} {node.name}")
    assert found == []

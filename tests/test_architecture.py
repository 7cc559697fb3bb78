"""The package boundaries of docs/architecture.md, checked on the source (an AST walk over
src/satupintu, imports inside functions included).

- A capability imports another only through its public face (`service.py`, and `queries.py`
  for the named reads other capabilities make) or through one of its pure rule modules listed in
  PURE; never another's `models.py`. Every module in PURE is proved pure here.
- Only a capability's pages and api modules import `web`; `web` (the HTTP edge) imports no
  capability, and kernel modules (top-level `satupintu.*`) import no capability either.
- No import cycle between packages.

PENDING lists the imports that other pieces of work in flight remove (shared facts moving to the
kernel, the queue and staffing splits); each entry says why. Everything else must pass, and an
entry that no longer matches anything is reported so it can be deleted.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import satupintu

SRC = Path(satupintu.__file__).resolve().parent
ROOT = "satupintu"

CAPABILITIES = frozenset({"accounts", "applications", "catalogue", "feedback", "integration", "notify",
                          "oversight", "queueing", "staffing", "unit", "web"})
# Wiring puts the capabilities together and may import anything.
WIRING_MODULES = frozenset({
    "satupintu.app", "satupintu.asgi", "satupintu.cli", "satupintu.migrate", "satupintu.__main__",
    "satupintu.models",  # every table in one place, for Alembic's metadata
    "satupintu.retention",  # the retention command: removes old records of several capabilities
})
WIRING_PACKAGES = frozenset({"satupintu.migrations", "satupintu.demo"})
# What a capability publishes to the others, besides its pure rule modules.
PUBLIC_FACES = frozenset({"service", "queries"})
# Pure rule modules (no I/O) other capabilities may import directly; test_pure_modules_are_pure
# proves each one is.
PURE = frozenset({
    "satupintu.catalogue.agreements",
    "satupintu.catalogue.hours",
    "satupintu.catalogue.standard",
    "satupintu.feedback.complaints",
    "satupintu.feedback.letterhead",
    "satupintu.feedback.skm",
    "satupintu.feedback.survey_codes",
    "satupintu.notify.templates",
    "satupintu.queueing.policy",
    "satupintu.staffing.erlang",
})
# Libraries that do I/O or belong to the HTTP edge: no pure module imports them.
IMPURE_LIBRARIES = frozenset({"sqlalchemy", "fastapi", "starlette", "httpx", "psycopg", "redis", "jinja2"})

# (importing module or package prefix, imported module, imported name or None for any): allowed
# until the work named beside it lands. A source ending in "." matches every module under it.
PENDING: dict[tuple[str, str, str | None], str] = {
}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the module imported (a submodule when `from package import submodule`)
    name: str | None  # the name taken from it, if any
    line: int

    def __str__(self) -> str:
        what = f"{self.target}:{self.name}" if self.name else self.target
        return f"{self.source} (line {self.line}) imports {what}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str) -> Iterator[Import]:
    """Every import of a satupintu module, at any depth of the file."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == ROOT:
                    yield Import(module, alias.name, None, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, module, path.name == "__init__.py")
            if base.split(".")[0] != ROOT:
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in MODULES:  # `from ..notify import service`: the submodule is what is imported
                    yield Import(module, sub, None, node.lineno)
                else:
                    yield Import(module, base, alias.name, node.lineno)


def third_party_imports_of(module: str) -> set[str]:
    path = MODULES[module]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out - {ROOT}


def capability_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in CAPABILITIES else None


def is_wiring(module: str) -> bool:
    return module in WIRING_MODULES or any(module == p or module.startswith(p + ".") for p in WIRING_PACKAGES)


def is_kernel(module: str) -> bool:
    return not is_wiring(module) and capability_of(module) is None


def is_route_module(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return last in ("api", "pages") or last.endswith(("_api", "_pages"))


def pending_reason(imp: Import) -> str | None:
    for (source, target, name), reason in PENDING.items():
        if source and not (imp.source == source or (source.endswith(".") and imp.source.startswith(source))):
            continue
        if target and imp.target != target:
            continue
        if name is not None and imp.name != name:
            continue
        return reason
    return None


def problem_of(imp: Import) -> str | None:
    """What rule an import breaks, or None."""
    src_cap, dst_cap = capability_of(imp.source), capability_of(imp.target)
    if is_wiring(imp.source) or dst_cap is None or src_cap == dst_cap:
        return None
    if is_kernel(imp.source):
        return "a kernel module imports a capability"
    if src_cap == "web":
        return "web (the HTTP edge) imports a capability; inject what it needs at start-up"
    if dst_cap == "web":
        return None if is_route_module(imp.source) else "only pages and api modules import web"
    if imp.target.rsplit(".", 1)[-1] == "models":
        return f"imports {dst_cap}'s models; read through a named query of {dst_cap}"
    if imp.target in PURE or imp.target.rsplit(".", 1)[-1] in PUBLIC_FACES and imp.target.count(".") == 2:
        return None
    return f"reaches into {dst_cap} past its service, queries and pure rule modules"


def all_imports() -> list[Import]:
    return [imp for module in MODULES for imp in imports_of(module)]


def test_capabilities_meet_only_through_their_public_faces() -> None:
    problems = [f"{imp}: {problem}" for imp in all_imports()
                if (problem := problem_of(imp)) is not None and pending_reason(imp) is None]
    assert not problems, "Boundary violations (see docs/architecture.md):\n  " + "\n  ".join(problems)


def test_every_pending_allowance_is_still_needed() -> None:
    used = {key for imp in all_imports() if problem_of(imp) is not None
            for key in PENDING if pending_reason(imp) is not None and _matches(key, imp)}
    stale = [f"{key}: {PENDING[key]}" for key in PENDING if key not in used]
    assert not stale, "PENDING entries that match no violation any more; delete them:\n  " + "\n  ".join(stale)


def _matches(key: tuple[str, str, str | None], imp: Import) -> bool:
    source, target, name = key
    return ((not source or imp.source == source or (source.endswith(".") and imp.source.startswith(source)))
            and (not target or imp.target == target) and (name is None or imp.name == name))


def test_pure_modules_are_pure() -> None:
    """A pure rule module imports no I/O library, no database, no models and no web, nor does any
    satupintu module it imports (they must be kernel or pure modules themselves)."""
    problems = []
    for module in sorted(PURE):
        assert module in MODULES, f"{module} is listed in PURE but does not exist"
        seen, todo = set(), [module]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            bad = third_party_imports_of(current) & IMPURE_LIBRARIES
            if bad:
                problems.append(f"{module}: {current} imports {', '.join(sorted(bad))}")
            for imp in imports_of(current):
                target = imp.target
                if target.rsplit(".", 1)[-1] == "models" or target == "satupintu.db" or capability_of(target) == "web":
                    problems.append(f"{module}: {imp}")
                elif capability_of(target) is not None and target not in PURE:
                    problems.append(f"{module}: {imp} (not a pure module)")
                else:
                    todo.append(target)
    assert not problems, "Pure modules that are not:\n  " + "\n  ".join(problems)


def package_graph(include_pending: bool = False) -> dict[str, set[str]]:
    """Capability -> the capabilities it imports (wiring and kernel left out: the kernel imports
    no capability, so it closes no cycle)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for imp in all_imports():
        src, dst = capability_of(imp.source), capability_of(imp.target)
        if src is None or dst is None or src == dst or is_wiring(imp.source):
            continue
        if not include_pending and pending_reason(imp) is not None:
            continue
        graph[src].add(dst)
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the components with more than one package are the cycles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            out.append(sorted(component))

    for node in sorted(set(graph) | {d for ds in graph.values() for d in ds}):
        if node not in index:
            visit(node)
    return [c for c in out if len(c) > 1]


def test_no_import_cycle_between_packages() -> None:
    graph = package_graph()
    cycles = strongly_connected(graph)
    lines = []
    for cycle in cycles:
        members = set(cycle)
        edges = [imp for imp in all_imports() if capability_of(imp.source) in members
                 and capability_of(imp.target) in members and capability_of(imp.source) != capability_of(imp.target)
                 and pending_reason(imp) is None and not is_wiring(imp.source)]
        lines.append("{" + ", ".join(cycle) + "}:\n    " + "\n    ".join(str(e) for e in edges))
    assert not cycles, "Import cycles between packages:\n  " + "\n  ".join(lines)


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []


def test_the_rules_recognise_what_they_forbid() -> None:
    def imp(source: str, target: str) -> Import:
        return Import(source, target, None, 1)

    assert problem_of(imp("satupintu.feedback.service", "satupintu.queueing.models")) is not None
    assert problem_of(imp("satupintu.feedback.service", "satupintu.catalogue.queries")) is None
    assert problem_of(imp("satupintu.feedback.service", "satupintu.catalogue.service")) is None
    assert problem_of(imp("satupintu.feedback.service", "satupintu.queueing.policy")) is None
    assert problem_of(imp("satupintu.feedback.service", "satupintu.queueing.store")) is not None
    assert problem_of(imp("satupintu.feedback.service", "satupintu.web.render")) is not None
    assert problem_of(imp("satupintu.feedback.pages", "satupintu.web.render")) is None
    assert problem_of(imp("satupintu.web.security", "satupintu.accounts.service")) is not None
    assert problem_of(imp("satupintu.events", "satupintu.queueing.service")) is not None
    assert problem_of(imp("satupintu.app", "satupintu.queueing.hotpath")) is None
    assert problem_of(imp("satupintu.demo.loader", "satupintu.catalogue.models")) is None

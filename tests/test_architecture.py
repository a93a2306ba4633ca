"""The shape of the imports, read from the source with ``ast`` (nothing is imported).

Every import of the project's own modules counts, at module level or inside a function: a circle broken
only by an import deferred into a function is still a circle. The rules:

* no module imports itself back through others (no cycle between files);
* the apps import one way: ``qualityaward.accounts`` ← ``applications`` ← ``review`` ← ``publicity``. Where a
  lower app needs behaviour from a higher one, the higher one registers it in its ``AppConfig.ready``;
* ``qualityaward`` itself (settings, URLs, the dashboard, Celery) sits on top and may import every app;
* ``demo`` (demo and scale data) and the management commands may import anything; product code never
  imports ``demo``.
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("qualityaward", "applications", "review", "publicity", "demo")
#: the app order, bottom first: a module may import its own app and the apps below it. ``qualityaward.params``
#: (reading numbers from requests; it imports nothing of the project) sits at the bottom with accounts.
LAYERS = {"qualityaward.accounts": 0, "qualityaward.params": 0, "applications": 1, "review": 2, "publicity": 3,
          "qualityaward": 4}


def _module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules():
    """{dotted name: path} of every source module (migrations are generated and left out)."""
    modules = {}
    for top in SOURCES:
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[_module_name(path)] = path
    return modules


def _resolve(name, modules):
    """The project module an import of ``name`` loads last (a package's ``__init__`` for a package)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_graph(modules):
    """{module: {imported project modules}}, from every import statement anywhere in the module."""
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                targets.update(_resolve(alias.name, modules) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(base + ([node.module] if node.module else []))
                else:
                    base = node.module
                for alias in node.names:
                    submodule = f"{base}.{alias.name}"
                    targets.add(submodule if submodule in modules else _resolve(base, modules))
        targets.discard(None)
        targets.discard(name)
        graph[name] = targets
    return graph


def cycles(graph):
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def layer(module):
    for prefix in ("qualityaward.accounts", "qualityaward.params", "applications", "review", "publicity",
                   "qualityaward"):
        if module == prefix or module.startswith(prefix + "."):
            return LAYERS[prefix]
    return None


def is_exempt(module):
    """Demo data and management commands: they drive every app and may import anything."""
    return module == "demo" or module.startswith("demo.") or ".management.commands." in module


GRAPH = import_graph(project_modules())


def test_the_graph_sees_the_project():
    assert len(GRAPH) > 100
    assert "applications.models" in GRAPH["review.scoring.models"]  # a module-level import
    assert "review.eligibility.services" in GRAPH["review.apps"]  # an import inside ready()


def test_no_import_cycle_between_files():
    assert cycles(GRAPH) == []


def test_the_apps_import_one_way():
    against = sorted(f"{source} -> {target}" for source, targets in GRAPH.items() if not is_exempt(source)
                     for target in targets if layer(target) is not None and layer(target) > layer(source))
    assert against == []


def test_product_code_never_imports_the_demo_package():
    offenders = sorted(f"{source} -> {target}" for source, targets in GRAPH.items() if not is_exempt(source)
                       for target in targets if is_exempt(target) and target.startswith("demo"))
    assert offenders == []


def test_the_checks_catch_what_they_forbid():
    graph = {"applications.a": {"review.b"}, "review.b": {"applications.a"}, "demo.c": {"publicity.d"},
             "publicity.d": set()}
    assert cycles(graph) == [["applications.a", "review.b"]]
    assert layer("applications.a") < layer("review.b") and is_exempt("demo.c")
    assert is_exempt("applications.management.commands.load_demo") and not is_exempt("applications.models")

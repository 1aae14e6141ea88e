"""The dependency rule of the README's code map, enforced: adcli's packages are layers,
and a module may import only from its own layer and the layers below it; no import
cycle among adcli's modules, function-level imports included.

    foundation  adcli.errors, adcli.numtext       (standard library only)
    ops         the op table, its math namespaces, the safe rule call
    ir          the flat IR
    engine      the sweeps: values, forward, reverse, many points, Hessian, Taylor, checks
    language    grammar, parser, lowering, POINT syntax
    api         Function, the declared results, trace/graph/plot data
    batch       job files, points files, records (no output formatting)
    render      number text, console, tables, trace, graph, plot, JSON/CSV/plain/Parquet writers
    dist        Dask: a --points job over partitions, map-reduce over a data set
    cli         click commands

The test reads the source with ast, so it sees every import, at any depth of a module.
"""
import ast
import os

import pytest

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "adcli")

LAYERS = ["foundation", "ops", "ir", "engine", "language", "api", "batch", "render", "dist", "cli"]
FOUNDATION = {"adcli.errors", "adcli.numtext"}
# The package itself (its lazy public names) and `python -m adcli` sit above every layer;
# importing `adcli` for __version__ is importing a constant, allowed anywhere.
TOP = {"adcli", "adcli.__main__"}


def modules():
    out = {}
    for dirpath, _, files in os.walk(ROOT):
        for f in files:
            if f.endswith(".py"):
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, os.path.dirname(ROOT))[:-3].replace(os.sep, ".")
                name = rel[:-len(".__init__")] if rel.endswith(".__init__") else rel
                out[name] = path
    return out


MODULES = modules()


def layer(name):
    if name in TOP:
        return len(LAYERS)
    if name in FOUNDATION:
        return 0
    parts = name.split(".")
    assert len(parts) >= 2 and parts[1] in LAYERS, f"{name} is in no layer: add it to the code map"
    return LAYERS.index(parts[1])


def imports(name, path):
    """(line, imported adcli module) for every import statement in the module."""
    tree = ast.parse(open(path, encoding="utf-8").read())
    is_pkg = path.endswith("__init__.py")
    here = name.split(".") if is_pkg else name.split(".")[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[:len(here) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if not mod.startswith("adcli"):
                continue
            for a in node.names:
                sub = f"{mod}.{a.name}"
                found.append((node.lineno, sub if sub in MODULES else mod))
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("adcli"):
                    found.append((node.lineno, a.name))
    return found


def edges():
    out = {}
    for name, path in MODULES.items():
        out[name] = [(line, target) for line, target in imports(name, path) if target not in (name, "adcli")]
    return out


EDGES = edges()

def test_every_module_is_in_a_layer():
    for name in MODULES:
        layer(name)


def test_no_import_against_the_layer_order():
    bad = set()
    for name, targets in EDGES.items():
        for line, target in targets:
            if target in MODULES and layer(target) > layer(name):
                bad.add(f"{name}:{line} imports {target} "
                           f"({LAYERS[min(layer(name), len(LAYERS) - 1)]} may not import {LAYERS[layer(target)]})")
    assert not bad, "imports against the dependency rule:\n" + "\n".join(sorted(bad))


def test_no_import_cycles():
    # A package's __init__ importing its own submodules is how a package exposes them,
    # not a cycle of the design; a submodule importing its package's __init__ back is.
    graph = {n: sorted({t for _, t in ts if t in MODULES and not _parent_reexport(n, t)})
             for n, ts in EDGES.items()}
    cycles = _cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c + [c[0]]) for c in cycles)


def _parent_reexport(name, target):
    return MODULES[name].endswith("__init__.py") and target.startswith(name + ".")


def _cycles(graph):
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(graph[w])))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


@pytest.mark.parametrize("graph,expected", [
    ({"a": ["b"], "b": ["a"]}, [["a", "b"]]),
    ({"a": ["b"], "b": ["c"], "c": []}, []),
    ({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}, [["a", "b", "c"]]),
])
def test_cycle_finder_finds_cycles(graph, expected):
    assert _cycles(graph) == expected


def test_layer_rule_catches_an_upward_import(tmp_path):
    # The rule itself: an engine module importing the renderer would be reported.
    assert layer("adcli.engine.sweep") < layer("adcli.render.text")
    assert layer("adcli.errors") == 0 and layer("adcli.cli") == len(LAYERS) - 1

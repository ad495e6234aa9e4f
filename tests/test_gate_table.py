"""The gate table is the one source of the per-kind facts, and the engine has no import cycle."""

import ast
from pathlib import Path

import numpy as np
import pytest

from lstm_engine import GATE_NAMES, GATE_TABLE, KINDS, SUFFIXES, ModelConfig, Vocab, init_model
from lstm_engine.core import cells, gates

ENGINE = Path(__file__).resolve().parents[1] / "lstm_engine"
RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}


@pytest.mark.parametrize("kind", KINDS)
def test_every_per_kind_table_follows_the_gate_table(kind):
    table = GATE_TABLE[kind]
    assert SUFFIXES[kind] == tuple(g.suffix for g in table)
    assert cells.GATES[kind] == len(table)
    assert set(gates.FLOW_ORDER[kind]) == set(GATE_NAMES[kind]) and len(gates.FLOW_ORDER[kind]) == len(
        GATE_NAMES[kind]
    )
    model = init_model(ModelConfig(kind=kind, hidden_size=3, seed=1), Vocab(list("ab")))
    trace = model.run("abba")
    assert tuple(trace.gates) == GATE_NAMES[kind]
    assert tuple(trace.layers[0].pre) == tuple(g.name for g in table)
    for g in table:
        if g.name in trace.gates:
            lo, hi = RANGES[g.activation]
            a = trace.gates[g.name]
            f = cells.sigmoid if g.activation == "sigmoid" else np.tanh
            assert np.array_equal(a, f(trace.layers[0].pre[g.name]))
            assert lo <= a.min() and a.max() <= hi
    names = {f"0/{w}{g.suffix}" for g in table for w in ("W_x", "W_h", "b_")}
    assert names | {"out/W_hq", "out/b_q"} == set(model.params())


@pytest.mark.parametrize("kind", KINDS)
def test_fuse_layer_and_split_layer_are_inverse_and_split_gives_views(kind):
    rng = np.random.default_rng(0)
    G, D, H = len(GATE_TABLE[kind]), 5, 3
    fused = {
        "Wx": rng.normal(size=(D, G * H)),
        "Wh": rng.normal(size=(H, G * H)),
        "b": rng.normal(size=G * H),
    }
    named = gates.split_layer(kind, fused, "2/")
    back = gates.fuse_layer(kind, named, "2/")
    assert all(np.array_equal(back[k], fused[k]) for k in fused)
    s = SUFFIXES[kind][-1]
    named[f"2/b_{s}"][0] = 99.0
    assert fused["b"][(G - 1) * H] == 99.0


def _imports(path: Path) -> set[str]:
    """The lstm_engine modules a source file imports (relative imports anywhere in it)."""
    module = ".".join(path.relative_to(ENGINE.parent).with_suffix("").parts)
    package = module.split(".")[:-1]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - node.level + 1]
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names = [f"{target}.{a.name}" for a in node.names]
            out.update(n for n in [target, *names] if _module_path(n) is not None)
    return {m for m in out if not m.endswith("__init__")}


def _module_path(name: str) -> Path | None:
    p = ENGINE.parent.joinpath(*name.split("."))
    return p.with_suffix(".py") if p.with_suffix(".py").exists() else None


def test_no_import_cycle_between_engine_modules():
    graph = {}
    for path in ENGINE.rglob("*.py"):
        if path.name == "__init__.py":
            continue
        name = ".".join(path.relative_to(ENGINE.parent).with_suffix("").parts)
        graph[name] = _imports(path) - {name}
    assert "lstm_engine.core.modelio" not in graph["lstm_engine.core.model"]

    def reach(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    cycles = sorted(m for m in graph if m in reach(m))
    assert cycles == []

"""Caches are bounded: a classroom typing 200 different sentences cannot grow server memory
without limit. Every st.cache_data / st.cache_resource in app.py, explorer/ and pages/ must
set max_entries (a function without parameters can only hold one entry and is exempt), and no
module keeps a mutable global that could act as an unbounded cache."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "app.py", *sorted((ROOT / "explorer").glob("*.py")), *sorted((ROOT / "pages").glob("*.py"))]
CACHES = {"cache_data", "cache_resource"}
MAX_ENTRIES_LIMIT = 256  # a bound that is not really one fails too


def cache_decorators(tree: ast.AST):
    """(function, decorator node, max_entries value or None) for every st.cache_* use."""
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for dec in node.decorator_list:
            target = dec.func if isinstance(dec, ast.Call) else dec
            if isinstance(target, ast.Attribute) and target.attr in CACHES:
                kw = {k.arg: k.value for k in dec.keywords} if isinstance(dec, ast.Call) else {}
                value = kw.get("max_entries")
                yield node, dec, ast.literal_eval(value) if value is not None else None


def test_every_streamlit_cache_has_max_entries():
    found, unbounded = 0, []
    for path in SOURCES:
        for fn, _, max_entries in cache_decorators(ast.parse(path.read_text(), str(path))):
            found += 1
            takes_args = bool(fn.args.args or fn.args.posonlyargs or fn.args.kwonlyargs or fn.args.vararg)
            if takes_args and not (isinstance(max_entries, int) and 0 < max_entries <= MAX_ENTRIES_LIMIT):
                unbounded.append(f"{path.relative_to(ROOT)}:{fn.lineno} {fn.name} max_entries={max_entries}")
    assert found >= 4, "the cache scan found too few caches: is it still looking in the right place?"
    assert not unbounded, unbounded


def test_the_scan_catches_an_unbounded_cache():
    """The check itself can fail: a cache with arguments and no max_entries is reported."""
    tree = ast.parse("import streamlit as st\n@st.cache_data\ndef f(text):\n    return text\n")
    ((fn, _, max_entries),) = list(cache_decorators(tree))
    assert fn.name == "f" and max_entries is None


def test_no_module_level_mutable_cache():
    """A module-level dict/list/set assigned once and filled at run time would be shared by
    every session and never shrink (user models belong in st.session_state instead)."""
    offenders = []
    for path in SOURCES:
        for node in ast.parse(path.read_text()).body:
            value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
            if isinstance(value, (ast.Dict, ast.List, ast.Set)) and not (
                getattr(value, "keys", None) or getattr(value, "elts", None)
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if (
                isinstance(value, ast.Call)
                and getattr(value.func, "id", "") in ("dict", "list", "set")
                and not value.args
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders

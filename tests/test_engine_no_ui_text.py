"""lstm_engine returns numbers: no UI library, no LaTeX, no sentence meant for a screen.

Reads the sources. English may appear only where it is for a programmer or the command line:
docstrings, exception messages (the user-facing ones carry a code, tests/test_error_codes.py),
and the command-line front ends (`main` and the helpers listed in CLI)."""

import ast
import re
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[1] / "lstm_engine"
UI_LIBRARIES = {"streamlit", "plotly", "pandas", "matplotlib", "altair"}
LATEX = re.compile(
    r"\\(begin|end|frac|text|tilde|sigma|tanh|odot|times|left|right|underbrace|infty|mathrm|mathbf"
    r"|cdot|sum|partial|Big|hat|bmatrix)\b"
)
SENTENCE = re.compile(r"[A-Za-z]{2,}(?:[ ,'’-]+[A-Za-z]{2,}){2,}")  # three or more words in a row
# command-line front ends (their English is the CLI's); evaluate_model's keys are the rows of the
# table scripts/train_chinese.py prints for assets/README.md
CLI = {"main", "_bar", "_collect", "describe", "evaluate_model"}


def _docstrings(tree: ast.Module) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def _allowed_nodes(tree: ast.Module) -> set[int]:
    """ids of the nodes whose strings may be English: raises, exception classes, CLI functions."""
    allowed = set()
    for node in ast.walk(tree):
        is_exception_class = isinstance(node, ast.ClassDef) and any(
            isinstance(b, ast.Name) and (b.id.endswith(("Error", "Exception")) or b.id in {"CodedError"})
            for b in node.bases
        )
        cli = isinstance(node, ast.FunctionDef) and node.name in CLI
        if isinstance(node, ast.Raise) or is_exception_class or cli or _is_error_helper(node):
            allowed.update(id(n) for n in ast.walk(node))
    return allowed


def _is_error_helper(node) -> bool:
    """A function that builds an exception to be raised (e.g. modelio's `_missing`)."""
    return (
        isinstance(node, ast.FunctionDef)
        and isinstance(node.returns, ast.Name)
        and node.returns.id.endswith("Error")
    )


def _sources():
    for path in sorted(ENGINE.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def test_the_engine_imports_no_ui_library():
    """Not even inside a function: so no st.* or plotly call can exist."""
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not {a.name.split(".")[0] for a in node.names} & UI_LIBRARIES, path
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                assert node.module.split(".")[0] not in UI_LIBRARIES, path


def test_the_engine_builds_no_latex():
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not LATEX.search(node.value), (path, node.lineno, node.value[:60])


def test_the_engine_holds_no_sentence_meant_for_display():
    found = []
    for path, tree in _sources():
        skip = _docstrings(tree) | _allowed_nodes(tree)
        for node in ast.walk(tree):
            text = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""
            if id(node) not in skip and SENTENCE.search(text):
                found.append(f"{path.relative_to(ENGINE)}:{node.lineno}: {node.value[:60]!r}")
    assert found == []


def test_the_check_finds_a_display_sentence_and_latex():
    """The checks can fail: a caption string and a LaTeX string are caught."""
    tree = ast.parse('CAPTION = "the cell state keeps a count"\nEQ = r"\\tilde{C}_t"\n')
    consts = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
    assert SENTENCE.search(consts[0]) and LATEX.search(consts[1])

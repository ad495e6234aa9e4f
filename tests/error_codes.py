"""Every error code the engine can raise, read from the sources (shared by the tests)."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[1] / "lstm_engine"


def _coded_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """Names of CodedError and every class deriving from it (by name, across the engine)."""
    bases = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = {b.id for b in node.bases if isinstance(b, ast.Name)}
    coded, grew = {"CodedError"}, True
    while grew:
        new = {name for name, bs in bases.items() if bs & coded} - coded
        coded |= new
        grew = bool(new)
    return coded


def raised_codes() -> dict[str, tuple[str, set[str]]]:
    """code -> (English template, names of its params) for every coded error the engine
    builds: `SomeCodedError("code", "template", **params)` and, inside a coded class,
    `super().__init__("code", "template", ...)` (and the class's WHAT table of such pairs)."""
    trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in ENGINE.rglob("*.py")}
    coded = _coded_classes(trees)
    out: dict[str, tuple[str, set[str]]] = {}

    def add(code_node, template_node, params: set[str], where: str) -> None:
        assert isinstance(code_node, ast.Constant) and isinstance(code_node.value, str), where
        assert isinstance(template_node, (ast.Constant, ast.BinOp)), where
        template = _literal(template_node)
        out[code_node.value] = (template, params)

    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name in coded:
                for item in ast.walk(node):
                    if isinstance(item, ast.Dict):  # a table of (code, template) pairs
                        for v in item.values:
                            if isinstance(v, ast.Tuple) and len(v.elts) == 2:
                                add(v.elts[0], v.elts[1], _names(_literal(v.elts[1])), f"{path}:{v.lineno}")
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            direct = isinstance(f, ast.Name) and f.id in coded and f.id != "CodedError"
            via_super = (
                isinstance(f, ast.Attribute)
                and f.attr == "__init__"
                and isinstance(f.value, ast.Call)
                and isinstance(f.value.func, ast.Name)
                and f.value.func.id == "super"
                and len(node.args) >= 2
                and isinstance(node.args[0], ast.Constant)
            )
            if (direct and node.args and not isinstance(node.args[0], ast.Starred)) or via_super:
                if direct and f.id == "TrainingDiverged":
                    continue  # built from its WHAT table (read above)
                params = {k.arg for k in node.keywords if k.arg}
                add(node.args[0], node.args[1], params, f"{path}:{node.lineno}")
    return out


def _literal(node) -> str:
    """The string of a constant, a sum of constants, or a name bound to a constant (ADVICE)."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _literal(node.left) + _literal(node.right)
    if isinstance(node, ast.Name):
        return ""  # a class constant appended to a template: holds no placeholders (checked below)
    raise AssertionError(ast.dump(node))


def _names(template: str) -> set[str]:
    import string

    return {name for _, name, _, _ in string.Formatter().parse(template) if name}

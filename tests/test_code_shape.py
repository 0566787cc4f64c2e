"""The code's shape, as CONTRIBUTING.md promises it: layers import downward, units stay small.

These read the source with `ast`; nothing is imported or run.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QUIZZES = ROOT / "quizzes"

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60

# Pure cores: plain data in, plain data out, testable without Django or a database.
PURE = [
    "grading",
    "content",
    "text",
    "durations",
    "statistics",
    "charts",
    "integrity",
    "formats",
    "opaque",
    "markup",
    "diffing",
    "answers",
    "splicing",
]
# For each layer, the parts of the app it must not import (they sit above it).
FORBIDDEN = {
    **{core: ["django", "quizzes"] for core in PURE},
    "models": ["quizzes.selectors", "quizzes.services", "quizzes.forms", "quizzes.views"],
    "format_problems": ["quizzes.selectors", "quizzes.services", "quizzes.forms", "quizzes.admin"],
    "selectors": ["quizzes.services", "quizzes.forms", "quizzes.views", "quizzes.admin"],
    "services": ["quizzes.forms", "quizzes.views", "quizzes.admin", "quizzes.templatetags"],
    "forms": ["quizzes.services", "quizzes.views", "quizzes.admin"],
    "admin/forms": ["quizzes.services", "quizzes.views"],
}
# What a pure core may still import of its own package and of other cores.
PURE_ALLOWED = [
    "quizzes.grading",
    "quizzes.formats",
    "quizzes.statistics",
    "quizzes.markup",
    "quizzes.content",
    "quizzes.integrity",
    "quizzes.opaque",
]


def python_files(*roots: Path) -> list[Path]:
    return sorted(
        path
        for root in roots
        for path in root.rglob("*.py")
        if not {".venv", "node_modules", "migrations"} & set(path.parts)
    )


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module != "quizzes":  # `from quizzes import x` names x, below
                modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def layer_files(layer: str) -> list[Path]:
    base = QUIZZES / layer
    if base.is_dir():
        return python_files(base)
    return [base.with_suffix(".py")] if base.with_suffix(".py").exists() else []


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layers_import_only_downward(layer):
    files = layer_files(layer)
    assert files, f"no module for layer {layer}"
    wrong = []
    for path in files:
        for module in imported_modules(path):
            for forbidden in FORBIDDEN[layer]:
                allowed = layer in PURE and module.startswith(tuple(PURE_ALLOWED))
                if (module == forbidden or module.startswith(forbidden + ".")) and not allowed:
                    wrong.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not wrong, "\n".join(sorted(set(wrong)))


def test_modules_stay_small():
    large = [
        f"{path.relative_to(ROOT)}: {lines} lines"
        for path in python_files(QUIZZES)
        if path.name != "models.py"
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    ]
    assert not large, "\n".join(large)


def test_functions_stay_short():
    roots = [QUIZZES, ROOT / "quizsite", ROOT / "tests"]
    long = []
    for path in python_files(*roots):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {length}")
    assert not long, "\n".join(long)


def test_every_workflow_module_names_its_workflow():
    undocumented = [
        str(path.relative_to(ROOT))
        for package in ("services", "selectors")
        for path in python_files(QUIZZES / package)
        if not ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not undocumented

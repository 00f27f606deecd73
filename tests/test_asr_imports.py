"""The speech-recognition modules depend on each other in one direction (no import cycle)."""

import ast
from pathlib import Path

import transcribe.asr

ASR = Path(transcribe.asr.__file__).parent


def asr_imports(path: Path) -> set[str]:
    """Sibling modules a file imports, at the top or inside functions (``from .x import …``)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                out.add(node.module.split(".")[0])
            else:
                out.update(alias.name for alias in node.names)
    return out


def test_no_import_cycle_between_asr_modules():
    graph = {p.stem: asr_imports(p) for p in ASR.glob("*.py") if p.stem != "__init__"}
    assert graph["model"] <= {"extras"}  # where models live: depends on nothing else here
    assert "engines" not in graph["convert"] and "convert" not in graph["model"]
    done, visiting = set(), []

    def visit(name):
        assert name not in visiting, f"cycle: {' → '.join(visiting + [name])}"
        if name in done or name not in graph:
            return
        visiting.append(name)
        for dep in sorted(graph[name]):
            visit(dep)
        visiting.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)

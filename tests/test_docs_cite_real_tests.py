"""Every test the docs cite exists, so a promise never points at a test that was renamed.

docs/*.md and README.md name tests as `tests/<path>.py` or `tests/<path>.py::<name>`; a
citation that is only `::<name>` continues the file cited just before it in the same
document. Each file must exist and each name must be a test function (or class) in it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
# a file citation with an optional test name, or a bare "::name" continuing the last file
CITATION = re.compile(r"(?P<file>tests/[\w/.-]+?\.py)(?:::(?P<name>[\w:]+))?"
                      r"|`::(?P<more>[\w:]+)")


def citations(text: str) -> list[tuple[str, str | None]]:
    """(file, test name or None) for each citation in a document, in order."""
    found: list[tuple[str, str | None]] = []
    last: str | None = None
    for match in CITATION.finditer(text):
        if match["file"]:
            last = match["file"]
            found.append((last, match["name"]))
        elif last is not None:
            found.append((last, match["more"]))
        else:
            found.append(("(no file cited before it)", match["more"]))
    return found


def defined_names(path: Path) -> set[str]:
    """Module-level functions and classes, and ``Class::method`` for methods, in a file."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.add(node.name)
            names.update(f"{node.name}::{item.name}" for item in node.body
                         if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef))
    return names


def missing(document: Path) -> list[str]:
    """The citations in one document that name no existing file or test."""
    problems = []
    for file, name in citations(document.read_text(encoding="utf-8")):
        path = ROOT / file
        if not path.is_file():
            problems.append(f"{document.name}: {file} does not exist")
        elif name is not None and name not in defined_names(path):
            problems.append(f"{document.name}: {file} has no test {name}")
    return problems


def test_the_parser_reads_files_names_and_continuations():
    text = ("`tests/a/test_x.py::test_one`, `::test_two`, and `tests/b.py`; "
            "`tests/c/test_y.py::Case::test_three`")
    assert citations(text) == [("tests/a/test_x.py", "test_one"),
                               ("tests/a/test_x.py", "test_two"),
                               ("tests/b.py", None),
                               ("tests/c/test_y.py", "Case::test_three")]


def test_a_renamed_test_is_reported(tmp_path):
    document = tmp_path / "doc.md"
    here = Path(__file__).relative_to(ROOT).as_posix()
    document.write_text(f"`{here}::test_every_cited_test_exists`, `::no_such_test`, "
                        "`tests/no_such_file.py`", encoding="utf-8")
    assert missing(document) == [f"doc.md: {here} has no test no_such_test",
                                 "doc.md: tests/no_such_file.py does not exist"]


def test_every_cited_test_exists():
    assert sum(len(citations(d.read_text(encoding="utf-8"))) for d in DOCUMENTS) > 10
    problems = [problem for document in DOCUMENTS for problem in missing(document)]
    assert not problems, "\n".join(problems)

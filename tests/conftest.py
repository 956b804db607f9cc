"""The one tiny-model factory every test area uses (``tiny`` fixture).

Each reference family (:mod:`olm.models.table` names them) gets one small configuration
that still switches on what sets the family apart (sliding windows shorter than the test
sequences, experts with top-2 routing, Gemma's explicit head width, ...). Tests ask for
``tiny.model("llama3")``, override sizes where an assertion needs them
(``tiny.model("gpt2", vocab_size=128, embed_dim=64)``), take the document with
``tiny.graph(...)``, and read the sizes from ``tiny.vocab``, ``tiny.dim``, ``tiny.hidden``
instead of repeating them. A test with a ``tiny_family`` argument runs once per family.

Every test that waits on a child process, a timer, a thread, a signal or the Qt event loop
gets the ``process`` marker here (:mod:`wait_finder` decides), so
`tests/repeat.sh 20 -m "process and not gpu"` reruns exactly those.
"""

from __future__ import annotations

import pytest
from tiny_factory import TINY_FAMILIES, TinyModels
from wait_finder import why_it_waits


@pytest.fixture(scope="session")
def tiny() -> type[TinyModels]:
    """The tiny-model factory (:class:`TinyModels`)."""
    return TinyModels


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that takes ``tiny_family`` once per reference family.

    A test that names its own families (``@pytest.mark.parametrize("tiny_family", [...])``)
    runs on those only.
    """
    chosen = any(
        "tiny_family" in str(mark.args[0]) for mark in metafunc.definition.iter_markers("parametrize")
    )
    if "tiny_family" in metafunc.fixturenames and not chosen:
        metafunc.parametrize("tiny_family", TINY_FAMILIES)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark ``process`` every test that waits on something outside its own thread.

    Runs before ``-m`` deselects, so ``-m process`` selects exactly these.
    """
    seen: dict = {}
    for item in items:
        if why_it_waits(item, seen):
            item.add_marker(pytest.mark.process)

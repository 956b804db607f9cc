"""Issue 27 item 2 at 1280x800 and 1600x1000: what a user reads in the Telemetry tab is whole.

Generic checks over the telemetry views, one run and two side by side: every visible
plain-text QLabel without word wrap is as wide as its text (or was elided on purpose and
carries the full text in its tooltip), "Fit" shows the whole painted scene (the model and
its Repeat heat map), and every diagnostic is shown whole (wrapped, never elided).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from waiting import WAIT_MS

from olm.graph import save
from olm.store import layout
from olm.train import TrainConfig, train_iter
from olm.train.events import EventWriter
from olm_studio.training.telemetry_pane import TelemetryPane
from olm_studio.training.telemetry_view import MIN_FIT_SCALE, TelemetryView

SIZES = [(1280, 800), (1600, 1000)]
LONG = "Modernised GPT-2 (2)"
DIAGNOSTIC = ("FlashAttention in layer 1: attention entropy is 100.0% of uniform: attention "
              "has not learned to focus on any position yet")


@pytest.fixture
def runs(tmp_path, tiny, corpus_file):
    """Two finished runs with telemetry (the second a different family)."""
    out = []
    for family in ("llama3", "gpt2"):
        folder = tmp_path / family
        folder.mkdir()
        save(tiny.graph(family, vocab_size=256), folder / layout.MODEL_DOCUMENT)
        with EventWriter(folder / layout.EVENTS) as writer:
            for event in train_iter(TrainConfig(
                    source=str(folder / layout.MODEL_DOCUMENT), data=str(corpus_file),
                    steps=4, batch_size=2, seq_len=16, eval_every=0, eval_batches=1,
                    threads=1, telemetry=2)):
                writer.write(event)
        out.append(folder)
    return out


def _label_problems(root: QWidget, where: str) -> list[str]:
    out = []
    for label in root.findChildren(QLabel):
        text = label.text()
        if (not label.isVisible() or not text or label.wordWrap()
                or label.textFormat() == Qt.TextFormat.RichText or "<" in text):
            continue
        drawn = label.elided() if hasattr(label, "elided") else text  # elided on purpose
        if drawn != text and label.toolTip() != text:
            out.append(f"{where}: label {drawn!r} is elided without its full text in a tooltip")
        need = label.fontMetrics().horizontalAdvance(drawn)
        room = label.contentsRect().width()
        if need > room:
            out.append(f"{where}: label {drawn!r} needs {need} px, has {room}")
    return out


def _view_problems(view: TelemetryView, where: str) -> list[str]:
    out = _label_problems(view, where)
    whole = view.scene.itemsBoundingRect()
    port = view.canvas.viewport().rect()
    for when in ("as painted", "after Fit"):  # as painted: fitted to the canvas as laid out
        if when == "after Fit":
            view.fit_button.click()
        shown = view.canvas.mapToScene(port).boundingRect()
        scale = view.canvas.scale_factor()
        # legible: below MIN_FIT_SCALE only when the whole scene then fits
        if scale < MIN_FIT_SCALE - 1e-3 and not shown.adjusted(-1, -1, 1, 1).contains(whole):
            out.append(f"{where}, {when}: zoom {scale:.2f} is below the legible "
                       f"{MIN_FIT_SCALE} and still the view shows {shown} of {whole}")
        # the scene's whole width (model and heat maps) is shown unless even the legible
        # zoom is too wide for the pane
        across = shown.left() <= whole.left() + 1 and shown.right() >= whole.right() - 1
        if not across and scale > MIN_FIT_SCALE + 1e-3:
            out.append(f"{where}, {when}: the view shows {shown}, the scene spans {whole}, "
                       f"at zoom {scale:.2f} (could be smaller and still legible)")
        # and fills the canvas (not a thumbnail fitted to a smaller, earlier layout)
        drawn = view.canvas.mapFromScene(whole).boundingRect()
        if drawn.width() < 0.6 * port.width() and drawn.height() < 0.6 * port.height():
            out.append(f"{where}, {when}: the scene is drawn {drawn.width()}x{drawn.height()} "
                       f"px in a {port.width()}x{port.height()} px canvas")
    diagnostics = view.diagnostics
    diagnostics.addItem(DIAGNOSTIC)  # as long as the ones diagnose() writes
    QApplication.processEvents()
    width = diagnostics.viewport().width()
    for i in range(diagnostics.count()):
        item = diagnostics.item(i)
        need = diagnostics.fontMetrics().boundingRect(
            QRect(0, 0, max(1, width - 8), 10_000),
            int(Qt.TextFlag.TextWordWrap), item.text()).height()
        got = diagnostics.visualItemRect(item).height()
        if got < need:
            out.append(f"{where}: diagnostic {item.text()!r} is cut ({got} px of {need})")
        # a word wider than the list is cut mid-word ("FlashAtt…")
        words = max(diagnostics.fontMetrics().horizontalAdvance(w) for w in item.text().split())
        if words > width - 8:
            out.append(f"{where}: diagnostics list {width} px is narrower than a word ({words})")
    return out


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_telemetry_reads_whole_one_run_and_two(qtbot, runs, size):
    from types import SimpleNamespace

    from olm_studio.training.plots import LivePlots

    width, height = size
    plots = LivePlots()
    qtbot.addWidget(plots)
    pane = TelemetryPane(plots)
    qtbot.addWidget(pane)
    # the Telemetry tab's share of the window: the settings and Runs docks take the rest
    pane.resize(width * 47 // 100, height * 84 // 100)
    pane.show()
    qtbot.waitExposed(pane, timeout=WAIT_MS)
    one = SimpleNamespace(path=runs[0], name=LONG)
    two = SimpleNamespace(path=runs[1], name=LONG.replace("(2)", ""))
    pane.show_run(one)
    for _ in range(3):
        QApplication.processEvents()
    problems = _view_problems(pane.view, f"one run at {width}x{height}")
    assert pane.paint_two([one, two]) == ""
    for _ in range(3):
        QApplication.processEvents()
    for side in (pane.compare.left, pane.compare.right):
        problems += _view_problems(side, f"two runs at {width}x{height}")
        # the run's name is drawn whole; the count is what gives way
        name = side.title.toolTip().rsplit(":", 1)[0]
        assert name.startswith(LONG.replace(" (2)", ""))
        assert side.title.elided().startswith(name), (side.title.elided(), name)
    assert not problems, "\n".join(problems)

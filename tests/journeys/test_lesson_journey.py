"""Journey (a) of issue 24: the lesson's model from the Help menu to an exported file.

Driven only through the window's menus, keys, buttons and fields (``drive``), at
1280×800 and at 1600×1000: Help → Modernise GPT-2 → each step made with the lesson's
"Show me" → the figures move as each step says → Ctrl+2 → Train with the default
settings (trial scale on; steps, batch and budget typed into the form) → the run reports
steps → Stop → Resume → the steps continue from where it stopped and the loss does not
jump back → GPT-2 (the original preset) trained too → the Runs tab compares both,
architecture included → the Telemetry tab paints the run → File → Export Python… → the
file runs with ``python file.py`` and builds as many parameters as the status line shows.
The assertions are on figures a person would check.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no screen needed

import re  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtWidgets import QComboBox, QFileDialog, QLabel, QProgressBar  # noqa: E402
from waiting import CHILD_S, WAIT_MS  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import drive  # noqa: E402

SIZES = {"1280x800": (1280, 800), "1600x1000": (1600, 1000)}
FORM = {"Steps": "200", "Batch size": "4", "Sequence length": "64"}  # typed like a user
BUDGET = "3m"  # the default: on a loaded machine 1m plans fewer steps than the journey needs
STOP_AT = 15  # steps before Stop: enough for the loss to leave its starting value
SETTLE_POLLS = 500  # a ✖ verdict unchanged this many looks (seconds) is the form's last word
UNITS = {"B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12}


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    """The Studio as a newcomer gets it: own settings, runs and caches; no modal dialog
    may block the journey (what one would say is recorded instead)."""
    said = drive.record_dialogs(monkeypatch)
    monkeypatch.setenv("OLM_STUDIO_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OLM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv("OLM_RUNS_DIR", raising=False)
    (tmp_path / "home").mkdir()
    from olm_studio.main_window import MainWindow
    from olm_studio.settings import StudioSettings

    w = MainWindow(settings=StudioSettings(tmp_path / "home"))
    w.said = said
    qtbot.addWidget(w)
    yield w
    w.train.stop_and_wait(CHILD_S)
    w.files.stop_autosave(remove=True)


# -- what the window shows --------------------------------------------------------------
def _status_figures(w) -> tuple[str, float | None]:
    """The status line's parameter figure ("124M") and KV cache per token in bytes."""
    label = w.statusBar().findChild(QLabel, "figures")
    text = label.text()
    params = re.match(r"\s*(\S+) params", text)
    kv = re.search(r"KV ([\d.]+) (\w+)/token", text)
    assert params is not None, text
    return params.group(1), (float(kv.group(1)) * UNITS[kv.group(2)] if kv else None)


def _lesson_change(panel) -> dict[str, tuple[int, int]]:
    """The exact before → after counts the lesson panel says the last step moved."""
    text = panel.findChild(QLabel, "lessonFigures").text()
    moved = {}
    for name in ("Parameters", "Active"):
        found = re.search(rf"{name} ([\d,]+) → ([\d,]+)", text)
        if found:
            moved[name] = tuple(int(v.replace(",", "")) for v in found.groups())
    return moved


def _progress(w) -> str:
    bars = [b for b in w.findChildren(QProgressBar) if b.isVisible() and
            b.text().startswith("step")]
    assert bars, "no visible progress bar says which step the run is at"
    return bars[0].text()


def _steps(run) -> list[tuple[int, float]]:
    """(step, loss) of every step the run reported, in the order reported."""
    from olm.train.events import StepEvent, read_events

    return [(e.step, e.loss) for e in read_events(run.events_path) if isinstance(e, StepEvent)]


def _reached(w, run_id: str, step: int) -> bool:
    run = w.train.run(run_id)
    return bool(run.events_path.is_file() and _steps(run) and _steps(run)[-1][0] >= step)


def _train_form(qtbot, w) -> None:
    """The defaults, with only the run's length and the budget made small."""
    for label, value in FORM.items():
        drive.type_into(qtbot, drive.field(w, label), value)
    trial = drive.button(w, "Train at trial scale")
    assert trial.isChecked(), "trial scale is on by default"
    budget = drive.field(w, "Budget")
    assert isinstance(budget, QComboBox)
    drive.choose(qtbot, budget, BUDGET)


def _preflight(w) -> str | None:
    """The pre-flight verdict under the form ("✓ ready to train" or the problems)."""
    for label in w.findChildren(QLabel):
        if label.isVisible() and ("ready to train" in label.text() or "✖" in label.text()):
            return label.text()
    return None


def _ready(qtbot, w) -> None:
    """Train is enabled; when the pre-flight keeps saying ✖ instead (SETTLE_POLLS looks in
    a row: its check runs on a timer after each change), the test fails with what it says."""
    seen = {"text": None, "polls": 0}

    def settled() -> bool:
        if _command(w, "Train").isEnabled():
            return True
        text = _preflight(w)
        seen["polls"] = seen["polls"] + 1 if text == seen["text"] else 0
        seen["text"] = text
        return text is not None and "✖" in text and seen["polls"] > SETTLE_POLLS

    qtbot.waitUntil(settled, timeout=WAIT_MS)
    assert _command(w, "Train").isEnabled(), _preflight(w)
    assert "ready to train" in _preflight(w), _preflight(w)


def _command(w, text: str):
    """A button of the Train workspace's command bar (Train, Stop, Resume)."""
    from PySide6.QtWidgets import QPushButton, QWidget

    bar = w.findChild(QWidget, "trainCommandBar")
    return drive.button(bar if bar is not None and bar.isVisible() else w, text, QPushButton)


def _start(qtbot, w) -> str:
    """Press Train; the id of the run it started."""
    with qtbot.waitSignal(w.train.run_started, timeout=WAIT_MS) as started:
        drive.click(qtbot, _command(w, "Train"))
    return started.args[0]


def _stop(qtbot, w, run_id: str) -> None:
    with qtbot.waitSignal(w.train.run_ended, timeout=WAIT_MS) as ended:
        drive.click(qtbot, _command(w, "Stop"))
    assert ended.args[:2] == [run_id, "stopped"], ended.args


def _wait_steps(qtbot, w, run_id: str, step: int) -> None:
    """Until the run reports ``step``; a run that ends first fails with its reason."""
    def ended() -> bool:
        return w.train.run(run_id).status != "running"

    qtbot.waitUntil(lambda: _reached(w, run_id, step) or ended(), timeout=WAIT_MS)
    run = w.train.run(run_id)
    assert _reached(w, run_id, step), (run.status, run.reason, w.said)


# -- the journey ------------------------------------------------------------------------
def _lesson(qtbot, w) -> None:
    """Help → Modernise GPT-2, every step by "Show me"; the figures move as each says."""
    from olm.graph.lessons import MODERNISE_GPT2
    from olm.graph.values import resolve
    from olm_studio.canvas.looks import format_count

    drive.trigger_menu(w, "Help", "Modernise GPT-2 (guided lesson)")
    panel = w.findChild(QLabel, "lessonFigures").parentWidget()
    qtbot.waitUntil(panel.isVisible, timeout=WAIT_MS)
    env, _ = w.controller.graph.variable_values()
    _, kv = _status_figures(w)
    for step in MODERNISE_GPT2.steps:
        drive.click(qtbot, drive.button(panel, "Show me"))
        qtbot.waitUntil(lambda s=step: f"✓ {s.title}" in panel.findChild(
            QLabel, "lessonExplanation").text(), timeout=WAIT_MS)
        moved = _lesson_change(panel)
        before, after = moved["Parameters"]
        shown, kv_after = _status_figures(w)
        assert shown == format_count(after), "the status line disagrees with the lesson"
        if step.key == "rope":  # "the position table's parameters are gone"
            assert before - after == env["max_seq_len"] * env["embed_dim"]
            assert kv_after == kv
        elif step.key in ("rmsnorm", "biases"):  # a bias per norm / projection less
            assert 0 < before - after < before / 100
            assert kv_after == kv
        elif step.key == "swiglu":  # "three matrices change the count"
            assert after != before and kv_after == kv
        elif step.key == "gqa":  # "the KV cache shrinks by the group size"
            graph = w.controller.graph
            attn = next(graph.node(n) for n in graph.walk()
                        if graph.node(n).type == "GroupedQueryAttention")
            values = graph.variable_values()[0]
            heads = resolve(attn.params.get("num_heads", values.get("num_heads")), values)
            kv_heads = resolve(attn.params.get("num_kv_heads", values.get("num_kv_heads")),
                               values)
            assert kv_heads < heads
            assert kv_after == pytest.approx(kv * kv_heads / heads, rel=0.02)
            assert after < before
        elif step.key == "moe":  # "far more parameters, active ones grow much less"
            active_before, active_after = moved["Active"]
            assert after > 2 * before
            assert active_after - active_before < (after - before) / 2
            assert kv_after == kv
        kv = kv_after
    assert drive.button(panel, "Train both at trial scale").isVisible()  # lesson complete


def _train_stop_resume(qtbot, w) -> str:
    """Ctrl+2 → Train (defaults, trial scale) → Stop → Resume: the run continues."""
    drive.key(qtbot, w, "Ctrl+2")
    assert _command(w, "Stop").isVisible(), "Ctrl+2 did not show the Train workspace"
    _train_form(qtbot, w)
    _ready(qtbot, w)
    run_id = _start(qtbot, w)
    _wait_steps(qtbot, w, run_id, STOP_AT)
    assert re.match(r"step \d+ / \d+", _progress(w)), _progress(w)
    _stop(qtbot, w, run_id)
    before = _steps(w.train.run(run_id))
    stopped_at = before[-1][0]
    assert [s for s, _ in before] == list(range(1, stopped_at + 1))
    first = before[0][1]
    reached = min(loss for _, loss in before[-3:])
    assert first - reached > 0.3, f"the run did not learn before Stop: {before}"

    drive.click(qtbot, _command(w, "Resume"))
    _wait_steps(qtbot, w, run_id, stopped_at + 3)
    after = _steps(w.train.run(run_id))[len(before):]
    assert [s for s, _ in after][:3] == [stopped_at + 1, stopped_at + 2, stopped_at + 3], after
    # the loss goes on from where it was, not back to a fresh model's
    assert after[0][1] < first - (first - reached) / 2, (before, after)
    assert int(_progress(w).split()[1]) > stopped_at
    _stop(qtbot, w, run_id)
    return run_id


def _second_run(qtbot, w) -> str:
    """GPT-2 from the toolbar's preset list, trained the same way."""
    combo = next(c for c in w.findChildren(QComboBox) if c.isVisible() and
                 any(c.itemText(i).startswith("GPT2") for i in range(c.count())))
    drive.choose(qtbot, combo, "GPT2")
    qtbot.waitUntil(lambda: w.controller.graph.name == "GPT2" and w.controller.pristine,
                    timeout=WAIT_MS)
    _train_form(qtbot, w)
    _ready(qtbot, w)
    run_id = _start(qtbot, w)
    _wait_steps(qtbot, w, run_id, 10)  # telemetry is collected every 10 steps
    _stop(qtbot, w, run_id)
    return run_id


def _visible_one(page, kind):
    found = [x for x in page.findChildren(kind) if x.isVisible()]
    assert len(found) == 1, f"{len(found)} visible {kind.__name__} in the tab"
    return found[0]


def _compare(qtbot, w, lesson_run: str, gpt2_run: str, lesson_types: set[str]) -> None:
    """The Runs tab lists both runs and says how their architectures differ."""
    from PySide6.QtWidgets import QTextBrowser, QTreeWidget

    page = drive.show_tab(qtbot, w, "Runs")
    names = {w.train.run(lesson_run).name, w.train.run(gpt2_run).name}
    tree = _visible_one(page, QTreeWidget)
    rows = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    assert names <= {r.text(0) for r in rows}, (names, [r.text(0) for r in rows])
    ticked = {r.text(0) for r in rows if r.checkState(0) == Qt.CheckState.Checked}
    assert names <= ticked, ticked  # both overlaid and compared
    box = _visible_one(page, QTextBrowser)
    qtbot.waitUntil(lambda: "Architecture" in box.toPlainText(), timeout=WAIT_MS)
    text = box.toPlainText()
    assert all(name in text for name in names), text
    architecture = text.split("Architecture", 1)[1].split("Settings", 1)[0]
    assert "identical" not in architecture, text
    assert any(t in architecture for t in lesson_types), (lesson_types, architecture)


def _telemetry(qtbot, w, run_id: str) -> None:
    """Click the run's row in the Runs tab, then the Telemetry tab: some node is coloured."""
    from PySide6.QtWidgets import QTreeWidget

    from olm_studio.training.telemetry_view import TelemetryView

    tree = _visible_one(drive.show_tab(qtbot, w, "Runs"), QTreeWidget)
    row = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
               if tree.topLevelItem(i).text(0) == w.train.run(run_id).name)
    rect = tree.visualItemRect(row)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(rect.center().x(), rect.center().y()))
    assert tree.currentItem() is row
    drive.show_tab(qtbot, w, "Telemetry")
    views = [v for v in w.findChildren(TelemetryView) if v.isVisible()]
    assert len(views) == 1, views
    view = views[0]
    qtbot.waitUntil(lambda: view.current_step() is not None, timeout=WAIT_MS)
    graph = w.train.run(run_id).graph()
    assert any(view.node_color(n) is not None for n in graph.walk())


def _export(qtbot, w, tmp_path, monkeypatch) -> None:
    """File → Export Python…; the file runs and builds the count the status line shows."""
    from olm.graph import stats
    from olm_studio.canvas.looks import format_count

    out = tmp_path / "exported.py"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(out), "")))
    drive.trigger_menu(w, "File", "Export Python")
    assert out.is_file(), w.said
    ran = subprocess.run([sys.executable, str(out)], capture_output=True, text=True,
                         timeout=CHILD_S, cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    count = int(re.search(r"([\d,]+) parameters", ran.stdout).group(1).replace(",", ""))
    shown, _ = _status_figures(w)
    assert format_count(count) == shown, (ran.stdout, shown)
    assert count == stats(w.controller.graph).total_params


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES)
def test_lesson_journey(qtbot, window, size, tmp_path, monkeypatch):
    w = window
    w.resize(*SIZES[size])
    w.show()
    qtbot.waitExposed(w, timeout=WAIT_MS)
    w.activateWindow()

    _lesson(qtbot, w)
    graph = w.controller.graph
    lesson_types = {graph.node(n).type for n in graph.walk()}
    lesson_run = _train_stop_resume(qtbot, w)
    gpt2_run = _second_run(qtbot, w)
    gpt2_types = {w.controller.graph.node(n).type for n in w.controller.graph.walk()}
    _compare(qtbot, w, lesson_run, gpt2_run, lesson_types - gpt2_types)
    _telemetry(qtbot, w, lesson_run)
    _export(qtbot, w, tmp_path, monkeypatch)
    assert w.said == []

"""Nodes say what distinguishes them: Gemma 3, Qwen 3 and DeepSeek-V3 read off the canvas.

The sliding window, QK-norm, MLA's latent ranks and the experts must be visible on the
node's second line (and survive eliding to the node's width), and a heterogeneous
Repeat's variants are named by what differs, without opening the inspector.
"""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics

from olm_studio.canvas.items import _BODY, NodeItem


def _painted_second_lines(window, type_key):
    """The second line of every drawn ``type_key`` node, elided to its width as paint does."""
    scene = window.canvas.scene
    graph = window.controller.graph
    metrics = QFontMetrics(_BODY)
    lines = []
    for node_id in graph.walk():
        if graph.nodes[node_id].type != type_key:
            continue
        item = scene.primary(node_id)
        assert isinstance(item, NodeItem), f"{type_key} is not drawn"
        width = int(item.rect().width() - 26)
        lines.append(metrics.elidedText(item.look.values, Qt.TextElideMode.ElideRight, width))
    return lines


def _open_expanded(window, name):
    assert window.files.open_preset(name)
    graph = window.controller.graph
    for node_id in list(graph.walk()):
        if graph.nodes[node_id].is_container and graph.layout.get(node_id, {}).get("collapsed"):
            window.canvas.toggle_collapsed(node_id)
    return graph


@pytest.mark.parametrize("name", ["Gemma3_1B"])
def test_gemma3_local_and_global_attention_are_told_apart(window, name):
    graph = _open_expanded(window, name)
    local, global_ = _painted_second_lines(window, "GroupedQueryAttention")
    assert "window 512" in local and "QK-norm" in local
    assert "window" not in global_ and "QK-norm" in global_
    (repeat,) = [i for i in graph.walk() if graph.nodes[i].type == "Repeat"]
    assert window.canvas.scene.primary(repeat).look.title.endswith("local 512 ×22 · global ×4")
    first, second = graph.nodes[repeat].children
    assert "Variant" not in window.canvas.scene.primary(first).look.title
    assert "local 512" in window.canvas.scene.primary(first).look.title
    assert "global" in window.canvas.scene.primary(second).look.title


def test_qwen3_attention_shows_qk_norm(window):
    _open_expanded(window, "Qwen3_0_6B")
    (line,) = _painted_second_lines(window, "GroupedQueryAttention")
    assert "QK-norm" in line


def test_deepseek_v3_shows_latent_ranks_and_experts(window):
    _open_expanded(window, "DeepSeekV3")
    lines = _painted_second_lines(window, "MultiHeadLatentAttention")
    assert lines and all("q rank 1536" in x and "kv rank 512" in x for x in lines)
    (moe,) = _painted_second_lines(window, "DeepSeekMoEFFN")
    assert "256 experts top-8" in moe and "1 shared" in moe

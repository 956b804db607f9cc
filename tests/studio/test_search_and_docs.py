"""Issue 12 items 5 and 9: docstrings render as rich text; search knows aliases, ranked."""

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication

from olm_studio.rich import rst_to_html, rst_to_plain
from olm_studio.search import search_components

ROPE_FIRST = {"RotaryPositionalEmbedding", "ScaledRotaryPositionalEmbedding",
              "PartialRotaryPositionalEmbedding", "PartialScaledRotaryPositionalEmbedding",
              "MultiHeadAttentionwithRoPE", "FlashAttentionwithRoPE"}


def _plain(html: str) -> str:
    doc = QTextDocument()
    doc.setHtml(html)
    return doc.toPlainText()


def test_rst_markup_becomes_rich_text_and_escapes_html(qapp):
    out = rst_to_html("By ``F.scaled_dot_product_attention`` and :class:`~olm.nn.ClassicFFN`, "
                      "*fast* and **exact** for a<b>")
    assert "<code" in out and "F.scaled_dot_product_attention</code>" in out
    assert ">ClassicFFN</code>" in out and "olm.nn" not in out
    assert "<i>fast</i>" in out and "<b>exact</b>" in out and "a&lt;b&gt;" in out
    assert "`" not in _plain(out) and ":class:" not in _plain(out)
    assert rst_to_html("``x * y`` times *z*").count("<i>") == 1  # code is left alone
    assert rst_to_plain("``a`` and :class:`~x.Y`") == "a and Y"


def test_quick_add_rope_lists_rotary_embeddings_and_rope_attentions_first(window, qtbot):
    window.canvas.view.setFocus()
    qtbot.keyClick(window.canvas.view, Qt.Key.Key_Tab)
    popup = window.canvas.quick
    assert popup.isVisible()
    qtbot.keyClicks(popup.edit, "rope")
    shown = [popup.list.item(i).text() for i in range(popup.list.count())]
    assert set(shown[:len(ROPE_FIRST)]) == ROPE_FIRST
    assert "GroupedQueryAttention" in shown
    qtbot.keyClick(popup.edit, Qt.Key.Key_Return)
    ids = window.controller.selection
    assert window.controller.graph.nodes[ids[0]].type == shown[0]


def test_aliases_find_what_papers_call_things():
    assert search_components("gqa")[0] == "GroupedQueryAttention"
    assert search_components("MQA")[0] == "GroupedQueryAttention"
    assert set(search_components("moe")[:3]) == {"SwiGLUMoEFFN", "GeGLUMoEFFN", "ClassicMoEFFN"}
    assert search_components("mixture of experts")[0].endswith("MoEFFN")
    assert search_components("swiglu")[:2] == ["SwiGLU", "SwiGLUFFN"]
    assert search_components("rmsnorm") == ["RMSNorm"]
    assert search_components("layernorm")[0] == "LayerNorm"
    assert search_components("zzzz") == []
    # Descriptions still count, after names and aliases.
    assert "ReLU" in search_components("OPT")


def test_palette_search_uses_aliases_and_renders_docs(window, qtbot):
    palette = window.palette
    qtbot.keyClicks(palette.search, "rope")
    shown = palette.visible_keys()
    assert ROPE_FIRST <= set(shown)
    assert palette.tree.currentItem().text(0) in ROPE_FIRST  # Enter/double-click adds the best
    palette.search.clear()
    item = palette.entries["FlashAttention"]
    palette.tree.setCurrentItem(item)
    description = palette.description.text()
    assert "<code" in description and "``" not in description
    assert "``" not in item.toolTip(0) and "``" not in item.statusTip(0)
    moe = palette.entries["ClassicMoEFFN"].toolTip(0)
    assert ":class:" not in moe and "ClassicFFN</code>" in moe


def test_inspector_and_canvas_tooltips_render_docs(window, qtbot, h):
    graph = window.controller.graph
    node = h.find(graph, "ClassicFFN")  # its description is ``code``
    window.controller.select([node])
    subtitle = window.inspector.subtitle
    assert subtitle.textFormat() != Qt.TextFormat.PlainText
    assert "``" not in _plain(subtitle.text())
    item = window.canvas.scene.primary(node)
    assert "``" not in item.toolTip()
    # The Replace with… menu shows rendered descriptions as tooltips.
    menu = window.canvas.context_menu(node)
    replace = next(a.menu() for a in menu.actions() if a.text() == "Replace with…")
    assert replace.toolTipsVisible()
    swiglu = next(a for a in replace.actions() if a.text() == "SwiGLUFFN")
    assert "<code" in swiglu.toolTip() and "``" not in swiglu.toolTip()
    assert QApplication.instance() and QPoint  # offscreen Qt is up

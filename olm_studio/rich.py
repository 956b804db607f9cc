"""Docstrings as rich text: the reStructuredText bits our docstrings use, as Qt HTML.

The catalog's descriptions come from docstrings, which use reST inline markup
(``code``, :class:`~olm.nn.X`, `X`, *emphasis*, **strong**). Shown raw, a learner reads
backticks and colons; :func:`rst_to_html` turns them into code, italics and bold for the
palette, the inspector and tooltips. The text is HTML-escaped first, so nothing in a
docstring can inject markup.
"""

from __future__ import annotations

import html
import re

__all__ = ["rst_to_html", "rst_to_plain", "tooltip_html"]

_ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|obj|exc|ref|py:\w+):`~?([^`]+)`")
_LITERAL = re.compile(r"``(.+?)``")
_INTERPRETED = re.compile(r"(?<![`\w])`([^`]+)`(?![`\w])")
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_EMPH = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")
_CODE_STYLE = "font-family: monospace;"


def _short(target: str) -> str:
    """``~olm.nn.feedforward.ClassicFFN`` and ``olm.nn.X`` read as their last name."""
    target = target.split("<")[-1].rstrip(">").strip()  # "text <target>" form
    return target.rsplit(".", 1)[-1]


def rst_to_html(text: str) -> str:
    """reST inline markup → Qt rich text (escaped; code in a monospace span)."""
    out = html.escape(text, quote=False)
    tokens: list[str] = []

    def keep(fragment: str) -> str:
        tokens.append(fragment)
        return f"\x00{len(tokens) - 1}\x00"

    out = _LITERAL.sub(lambda m: keep(f"<code style='{_CODE_STYLE}'>{m.group(1)}</code>"), out)
    out = _ROLE.sub(lambda m: keep(f"<code style='{_CODE_STYLE}'>{_short(m.group(1))}</code>"),
                    out)
    out = _INTERPRETED.sub(lambda m: keep(f"<code style='{_CODE_STYLE}'>{_short(m.group(1))}"
                                          "</code>"), out)
    out = _STRONG.sub(r"<b>\1</b>", out)
    out = _EMPH.sub(r"<i>\1</i>", out)
    return re.sub(r"\x00(\d+)\x00", lambda m: tokens[int(m.group(1))], out)


def rst_to_plain(text: str) -> str:
    """reST inline markup removed (for status tips and other plain-text places)."""
    out = _LITERAL.sub(r"\1", text)
    out = _ROLE.sub(lambda m: _short(m.group(1)), out)
    out = _INTERPRETED.sub(lambda m: _short(m.group(1)), out)
    out = _STRONG.sub(r"\1", out)
    return _EMPH.sub(r"\1", out)


def tooltip_html(title: str, doc: str) -> str:
    """A tooltip: the name in bold over the rendered description, wrapping at a width."""
    return (f"<p style='white-space: normal'><b>{html.escape(title)}</b><br>"
            f"{rst_to_html(doc)}</p>")

"""Top-to-bottom auto-layout of a container tree, in scene coordinates.

Pure geometry, no Qt: the scene turns the document into a tree of :class:`Box`es, this
module gives every box a position and size, and the scene places its items there.
Sequential containers stack their children vertically; a ``Parallel`` puts its branches
side by side, and so does a ``Repeat`` with several layer variants (with room under its
header for the layer strip); a ``Residual`` keeps a lane on its right for the skip arc and room below
for the ⊕; a collapsed container is one summary box.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Box", "layout", "NODE_W", "NODE_H", "HEADER_H", "GAP", "PAD", "SKIP_LANE", "JOIN_H"]

NODE_W, NODE_H = 250.0, 60.0
HEADER_H = 28.0
GAP = 22.0          # vertical space between siblings (the wire runs there)
PAD = 12.0          # inner padding of a container
SKIP_LANE = 34.0    # room on the right of a Residual for its skip arc
JOIN_H = 34.0       # room below a Residual / Parallel for the ⊕ / merge
COLLAPSED_H = 58.0
BRANCH_GAP = 24.0
STRIP_H = 22.0      # the layer strip of a heterogeneous Repeat (see layer_strip.py)


@dataclass
class Box:
    """One node or container in the layout tree.

    Args:
        key: the document id of the node (copies of a Repeat body share it).
        kind: "node" or the container type ("Block", "Residual", "Repeat", "Parallel").
        children: the contained boxes (containers only), in flow order.
        collapsed: draw a container as one summary box.
        copy: which copy of a Repeat body this box belongs to (0 = the editable one);
            an expanded Repeat simply lists its body once per copy.
        flat: a Block drawn without a frame (the only child of a Residual or Repeat, as
            in paper figures); its children sit directly in the parent's frame.
        strip: a Repeat whose layers differ: a layer strip under the header, and its
            variants side by side.
    """

    key: str
    kind: str = "node"
    children: list[Box] = field(default_factory=list)
    collapsed: bool = False
    copy: int = 0
    flat: bool = False
    strip: bool = False
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0

    @property
    def is_container(self) -> bool:
        """True for Block/Residual/Repeat/Parallel boxes."""
        return self.kind != "node"


def _measure(box: Box) -> None:
    if not box.is_container:
        box.w, box.h = NODE_W, NODE_H
        return
    if box.collapsed or not box.children:
        box.w, box.h = NODE_W + 2 * PAD, COLLAPSED_H if box.collapsed else HEADER_H + 2 * PAD
        return
    for child in box.children:
        _measure(child)
    if box.strip and len(box.children) > 1:  # variants side by side, no join
        box.w = sum(c.w for c in box.children) + BRANCH_GAP * (len(box.children) - 1) + 2 * PAD
        box.h = HEADER_H + STRIP_H + PAD + max(c.h for c in box.children) + PAD
        return
    if box.kind == "Parallel":
        inner_w = sum(c.w for c in box.children) + BRANCH_GAP * (len(box.children) - 1)
        inner_h = max(c.h for c in box.children)
        box.w = inner_w + 2 * PAD
        box.h = HEADER_H + PAD + inner_h + JOIN_H + PAD
        return
    body_w = max(c.w for c in box.children)
    body_h = sum(c.h for c in box.children) + GAP * (len(box.children) - 1)
    if box.flat:
        box.w, box.h = body_w, body_h
        return
    box.w = body_w + 2 * PAD + (SKIP_LANE if box.kind == "Residual" else 0.0)
    box.h = HEADER_H + PAD + body_h + PAD + (STRIP_H if box.strip else 0.0)
    if box.kind == "Residual":
        box.h += JOIN_H


def _place(box: Box, x: float, y: float) -> None:
    box.x, box.y = x, y
    if not box.is_container or box.collapsed or not box.children:
        return
    top = y if box.flat else y + HEADER_H + PAD + (STRIP_H if box.strip else 0.0)
    if box.kind == "Parallel" or (box.strip and len(box.children) > 1):
        cx = x + PAD
        for child in box.children:
            _place(child, cx, top)
            cx += child.w + BRANCH_GAP
        return
    body_w = max(c.w for c in box.children)
    inner_left = x if box.flat else x + PAD
    cy = top
    for child in box.children:
        _place(child, inner_left + (body_w - child.w) / 2, cy)
        cy += child.h + GAP


def layout(root: Box, x: float = 0.0, y: float = 0.0) -> Box:
    """Size and place ``root`` and everything inside it, with its top-left at (x, y)."""
    _measure(root)
    _place(root, x, y)
    return root

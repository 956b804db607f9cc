"""Width propagation: what flows out of each node, to find mismatched neighbours.

The stream entering the model is token ids; an ``Embedding`` turns them into vectors of
width D; most components keep the width they are given (their ``embed_dim``/``d_model``
parameter says which width they expect); a head turns vectors into logits. Walking the
document in wiring order with this state finds dimension mismatches, parts placed before
the embedding or after the head, and skips whose two sides disagree, all without running
the model. Components with no width parameter (activations) are run once on ``meta``
tensors to learn what they do to the width.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from olm.graph.catalog import catalog
from olm.graph.diagnostics import Diagnostic
from olm.graph.document import Graph
from olm.graph.variables import WIDTH_PARAMS

__all__ = ["Stream", "propagate"]


@dataclass(frozen=True)
class Stream:
    """What flows along a wire: ``kind`` is "tokens", "hidden" or "logits"; ``width`` may be unknown."""

    kind: str
    width: int | None = None


TOKENS = Stream("tokens")


def _width_of(params: dict[str, Any]) -> int | None:
    for name in WIDTH_PARAMS:
        value = params.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


class _Flow:
    def __init__(
        self,
        graph: Graph,
        resolved: dict[str, dict[str, Any]],
        metas: Any,
        report: Callable[[Diagnostic], None],
    ) -> None:
        self.graph = graph
        self.resolved = resolved
        self.metas = metas
        self.report = report

    def error(self, node_id: str, message: str) -> None:
        self.report(Diagnostic(node_id, "error", message, "width"))

    def run(self, node_id: str, stream: Stream | None) -> Stream | None:
        node = self.graph.nodes.get(node_id)
        if node is None or stream is None:
            return None
        if not node.is_container:
            return self.leaf(node_id, stream)
        if node.type in ("Block", "Pipeline"):
            for child in self.graph.order(node_id):
                stream = self.run(child, stream)
            return stream
        if not node.children:
            return None
        if node.type == "Parallel":
            return self.parallel(node_id, stream)
        if node.type == "Repeat" and len(node.children) > 1:
            for variant, child in enumerate(node.children):
                out = self.run(child, stream)
                if out is None:
                    return None
                if out != stream:
                    self.error(
                        node_id,
                        f"Repeat feeds each layer's output into the next layer, so every variant "
                        f"must give back what it receives ({_say(stream)}), but variant "
                        f"{variant} gives {_say(out)}.",
                    )
                    return None
            return stream
        out = self.run(node.children[0], stream)
        if out is None:
            return None
        if node.type == "Residual":
            if stream.kind != "hidden" or out != stream:
                self.error(
                    node_id,
                    f"A Residual adds its input ({_say(stream)}) to its block's output "
                    f"({_say(out)}); the two must be vectors of the same width.",
                )
                return None
        elif node.type == "Repeat" and out != stream:
            self.error(
                node_id,
                f"Repeat feeds each copy's output into the next copy, so its block must give "
                f"back what it receives ({_say(stream)}), but it gives {_say(out)}.",
            )
            return None
        return out

    def parallel(self, node_id: str, stream: Stream) -> Stream | None:
        node = self.graph.nodes[node_id]
        outs = [self.run(c, stream) for c in node.children]
        if any(o is None for o in outs):
            return None
        if any(o.kind != "hidden" for o in outs):
            self.error(node_id, "Parallel branches must all output vectors to be merged.")
            return None
        merge = self.resolved.get(node_id, {}).get("merge", "sum")
        dim = self.resolved.get(node_id, {}).get("dim", -1)
        widths = [o.width for o in outs]
        if merge == "concat" and dim in (-1, 2):
            return Stream("hidden", None if None in widths else sum(widths))
        known = {w for w in widths if w is not None}
        if len(known) > 1:
            self.error(
                node_id,
                f"Parallel merges its branches with {merge!r}, which needs equal widths, "
                f"but they give {', '.join(str(w) for w in widths)}.",
            )
            return None
        return Stream("hidden", known.pop() if known else None)

    def leaf(self, node_id: str, stream: Stream) -> Stream | None:
        node = self.graph.nodes[node_id]
        params = self.resolved.get(node_id)
        if params is None or node.type not in catalog():
            return None
        family = catalog().get(node.type).family
        label = node.type
        if family == "embedding" and "vocab_size" in params:
            if stream.kind != "tokens":
                self.error(
                    node_id,
                    f"{label} turns token ids into vectors, but here it receives {_say(stream)}.",
                )
            return Stream("hidden", _width_of(params))
        if stream.kind == "tokens":
            self.error(
                node_id,
                f"{label} receives raw token ids; put an Embedding before it to turn them "
                "into vectors.",
            )
            return None
        if stream.kind == "logits":
            self.error(
                node_id,
                f"{label} comes after the output head, which already produced the logits; "
                "the head must be the last part.",
            )
            return None
        expected = _width_of(params)
        if expected is not None and stream.width is not None and expected != stream.width:
            self.error(
                node_id,
                f"Dimension mismatch: {label} expects vectors of width {expected}, but the "
                f"part before it gives width {stream.width}.",
            )
            return None
        if family == "head":
            return Stream("logits", params.get("vocab_size"))
        if "out_features" in params:
            return Stream("hidden", params["out_features"])
        if expected is not None:
            return Stream("hidden", expected)
        return self.probe(node_id, stream)

    def probe(self, node_id: str, stream: Stream) -> Stream | None:
        """Run a component without a width parameter on a meta tensor to learn its output."""
        if stream.width is None:
            return Stream("hidden", None)
        module = self.metas.get(node_id)  # built here, on first need (imports torch)
        if module is None:
            return Stream("hidden", None)
        import torch

        try:
            with torch.no_grad():
                out = module(torch.empty(1, 2, stream.width, device="meta"))
        except Exception as err:  # noqa: BLE001 - any failure means "cannot go here"
            self.error(
                node_id,
                f"{self.graph.nodes[node_id].type} cannot take vectors of width "
                f"{stream.width} here: {err}",
            )
            return None
        if not isinstance(out, torch.Tensor) or out.dim() != 3:
            self.error(
                node_id,
                f"{self.graph.nodes[node_id].type} does not return [batch, seq, width] vectors, "
                "so it cannot be a step of a Block.",
            )
            return None
        return Stream("hidden", int(out.shape[-1]))


def _say(stream: Stream) -> str:
    if stream.kind == "tokens":
        return "token ids"
    if stream.kind == "logits":
        return "logits"
    return "vectors" if stream.width is None else f"vectors of width {stream.width}"


def propagate(
    graph: Graph,
    resolved: dict[str, dict[str, Any]],
    metas: Any,
    report: Callable[[Diagnostic], None],
) -> Stream | None:
    """Walk the model from its token input; report mismatches; return the final stream."""
    return _Flow(graph, resolved, metas, report).run(graph.root, TOKENS)

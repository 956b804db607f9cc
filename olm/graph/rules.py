"""Model-wide rules: what a language model as a whole needs, beyond each part being valid."""

from __future__ import annotations

from typing import Any

from olm.graph.catalog import catalog
from olm.graph.diagnostics import Diagnostic
from olm.graph.document import Graph
from olm.graph.facts import uses_rope

__all__ = ["model_rules", "uses_rope"]


def _family(graph: Graph, node_id: str) -> str | None:
    node = graph.nodes[node_id]
    return catalog().get(node.type).family if node.type in catalog() else None


def model_rules(
    graph: Graph,
    resolved: dict[str, dict[str, Any]],
    metas: dict[str, Any],
    env: dict[str, Any],
    seq_len: int | None,
    final: Any,
) -> list[Diagnostic]:
    """Diagnostics about the model as a whole (the root carries the missing-part ones)."""
    out: list[Diagnostic] = []
    tree = list(graph.walk())
    token_embeddings = [
        i for i in tree if _family(graph, i) == "embedding" and "vocab_size" in graph.nodes[i].params
    ]
    positional = [
        i for i in tree if _family(graph, i) == "embedding" and i not in token_embeddings
        and graph.nodes[i].type in ("AbsolutePositionalEmbedding", "SinusoidalPositionalEmbedding")
    ]
    heads = [i for i in tree if _family(graph, i) == "head"]
    attention = [i for i in tree if _family(graph, i) == "attention" and i in metas]
    if not token_embeddings:
        out.append(Diagnostic(
            graph.root, "error",
            "The model has no Embedding: nothing turns token ids into vectors.", "no-embedding",
        ))
    if not heads:
        out.append(Diagnostic(
            graph.root, "error",
            "The model has no OutputHead: nothing turns vectors into next-token scores.", "no-head",
        ))
    if token_embeddings and heads:
        vocab_in = resolved.get(token_embeddings[0], {}).get("vocab_size")
        for head in heads:
            vocab_out = resolved.get(head, {}).get("vocab_size")
            if None not in (vocab_in, vocab_out) and vocab_in != vocab_out:
                out.append(Diagnostic(
                    head, "error",
                    f"Vocabulary mismatch: the embedding knows {vocab_in} tokens but the head "
                    f"scores {vocab_out}; they must be the same.", "vocab",
                ))
    rope = [i for i in attention if uses_rope(metas[i])]
    for pos in positional:
        if rope:
            out.append(Diagnostic(
                pos, "warning",
                f"Two position encodings at once: this {graph.nodes[pos].type} adds positions "
                f"and {graph.nodes[rope[0]].type} also rotates them (RoPE); usually you keep "
                "only one.", "positions",
            ))
    context = seq_len if seq_len is not None else env.get("max_seq_len")
    for pos in positional:  # learned and sinusoidal tables both end at max_seq_len
        learned = resolved.get(pos, {}).get("max_seq_len")
        kind = ("learned" if graph.nodes[pos].type == "AbsolutePositionalEmbedding"
                else "sinusoidal")
        if isinstance(context, int) and isinstance(learned, int) and context > learned:
            out.append(Diagnostic(
                pos, "error",
                f"The model is used with sequences of {context} tokens, but this {kind} "
                f"positional embedding only has {learned} positions; raise its max_seq_len.",
                "seq-len",
            ))
    if final is not None and heads and token_embeddings and final.kind != "logits":
        out.append(Diagnostic(
            graph.root, "error", "The model does not end with its OutputHead.", "no-head",
        ))
    return out

"""SOURCE → model: a preset name, a ``.olm.json`` document, a ``.py`` file, or a module.

One function, :func:`load_source`, so the trainer never cares how a model was described.
Named sources go through ``olm.graph`` (which reads all of them without executing code),
and the document is kept for the checkpoint's ``model.olm.json``. :func:`run_graph` is
the one place a run's settings change the document it trains (``--set``, ``--fit-vocab``),
used by the run and by the pre-flight alike, so both check the same model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from torch import nn

from olm.core.errors import ConfigError

if TYPE_CHECKING:
    from olm.train.config import TrainConfig

__all__ = ["load_source", "run_graph", "fit_vocab", "tokenizer_vocab", "BYTE_VOCAB"]


def fit_vocab(graph: Any, vocab: int) -> Any:
    """A copy of ``graph`` whose vocabulary is ``vocab`` (its ``vocab_size`` variable, or
    every ``vocab_size`` parameter written as a number)."""
    from olm.graph.overrides import apply_overrides

    if "vocab_size" in graph.variables:
        return apply_overrides(graph, {"vocab_size": vocab})
    out = graph.copy()
    changed = False
    for node in out.nodes.values():
        if isinstance(node.params.get("vocab_size"), int):
            node.params["vocab_size"] = vocab
            changed = True
    if not changed:
        raise ConfigError(f"--fit-vocab: {graph.name} has no vocab_size to change")
    return out


def run_graph(graph: Any, config: TrainConfig, vocab: int | None = None) -> Any:
    """The document a run with ``config`` trains, from the SOURCE's ``graph``.

    Args:
        graph: the SOURCE's document.
        config: the run's settings (``sets``, ``fit_vocab``).
        vocab: the tokenizer's vocabulary (needed for ``fit_vocab``).
    """
    from olm.graph.overrides import apply_overrides

    graph = apply_overrides(graph, config.sets)
    if config.fit_vocab:
        if vocab is None:
            vocab = tokenizer_vocab(config.tokenizer)
        graph = fit_vocab(graph, vocab)
    return graph


def load_source(spec: str | nn.Module, config: TrainConfig | None = None,
                vocab: int | None = None) -> tuple[Any | None, nn.Module]:
    """The (graph document or None, freshly initialised module) a SOURCE describes.

    Args:
        spec: a preset name (``"GPT2"``), a ``.olm.json`` path, a ``.py`` path, a
            checkpoint folder, or an ``nn.Module`` (used as is, with no document).
        config: when given, its ``--set``/``--fit-vocab`` apply (:func:`run_graph`).
        vocab: the tokenizer's vocabulary, for ``--fit-vocab``.

    Raises:
        OLMError: the source names nothing buildable (the message says why).
    """
    if isinstance(spec, nn.Module):
        if config is not None and (config.sets or config.fit_vocab):
            raise ConfigError("--set and --fit-vocab need a SOURCE document (a preset, "
                              ".olm.json or .py), not a module")
        return None, spec
    import olm.graph

    doc = olm.graph.from_source(spec)
    if config is not None:
        doc = run_graph(doc, config, vocab)
    return doc, olm.graph.build(doc)


BYTE_VOCAB = 256
"""The byte tokenizer's vocabulary."""


def tokenizer_vocab(spec: str) -> int:
    """How many ids the tokenizer ``spec`` (``byte``, ``bpe:N``, a tokenizer.json) can produce.

    Raises:
        OLMError: the spec is malformed or its file cannot be read.
    """
    if spec == "byte":
        return BYTE_VOCAB
    from olm.data.prepare import make_tokenizer

    if spec.startswith("bpe:"):
        try:
            return int(spec[4:])
        except ValueError:
            make_tokenizer(spec)  # raises the library's message for a malformed bpe:N
    return make_tokenizer(spec).vocab_size

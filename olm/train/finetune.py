"""Fine-tuning: start a run from pretrained weights, optionally with parts frozen.

``olm train --init-from WEIGHTS`` (a Hugging Face folder, a project with its weights
beside it, a checkpoint or run folder, a GGUF file) starts from those weights instead of a
fresh initialisation. With a SOURCE as well (an edited copy of the model), the weights are
carried node by node (:func:`olm.graph.weights.carry_weights`): unchanged parts keep
theirs, converted parts are converted, the rest starts fresh. The pretrained tokenizer
comes along (with its chat template), so checkpoints and exports keep it.

Fine-tuning wants a lower learning rate and a short warmup than pretraining; these are
the defaults when ``--init-from`` is given and ``--lr``/``--warmup-steps`` are not.
Freezing (``--freeze NODE``) turns gradients off for the named parts; the optimizer only
sees the rest.
"""

from __future__ import annotations

from typing import Any

from torch import nn

from olm.core.errors import ConfigError
from olm.train.derived import finetune_warmup  # the rule's owner; kept importable from here

__all__ = ["FINETUNE_LR", "finetune_warmup", "start_from", "freeze", "fresh_config"]

FINETUNE_LR = 3e-5  # 10x below the pretraining default, a common full fine-tune rate


def start_from(init_from: str, source: Any = None, drop: str = "last"
               ) -> tuple[Any, nn.Module, Any, dict[str, str]]:
    """``(graph, model, tokenizer, carried)`` for a run starting from ``init_from``'s weights.

    Args:
        init_from: anything :func:`olm.store.pretrained.open_pretrained` opens.
        source: the model to train, when it differs from the pretrained one (a SOURCE
            ``load_source`` reads); its weights are carried over where they fit.
        drop: which layers go when the source has fewer: "last", "first" or "every".

    Returns:
        The document, the model (train mode), the pretrained tokenizer (or None) and, with
        a source, node id → what happened to its weights (see ``carry_weights``).
    """
    from olm.store.pretrained import open_pretrained

    pre = open_pretrained(init_from)
    if source is None:
        return pre.graph, pre.model.train(), pre.tokenizer, {}
    from olm.graph.weights import carry_weights
    from olm.train.source import load_source

    graph, model = load_source(source)
    if graph is None or pre.graph is None:
        raise ConfigError("--init-from with a SOURCE needs both as olm documents "
                          "(a preset, .olm.json or .py), not a bare module")
    carried = carry_weights(pre.graph, pre.model, graph, model, drop=drop)
    return graph, model.train(), pre.tokenizer, carried


def freeze(model: nn.Module, graph: Any, names: list[str]) -> int:
    """Turn gradients off for each named part; returns how many tensors were frozen.

    Args:
        model: the model built from ``graph``.
        graph: its document (node ids are looked up there), or None.
        names: node ids (or a unique prefix of at least 6 characters, as the Studio shows
            them) or module paths (``blocks.0``).

    Raises:
        ConfigError: a name matches no node and no module.
    """
    if not names:
        return 0
    paths: dict[str, list[str]] = {}
    if graph is not None:
        from olm.graph.weights import node_paths

        paths = node_paths(graph)
    modules = dict(model.named_modules())
    frozen = 0
    for name in names:
        ids = [n for n in paths if n == name or (len(name) >= 6 and n.startswith(name))]
        if len(ids) > 1:
            raise ConfigError(f"--freeze {name!r} matches {len(ids)} nodes; give more of the id")
        targets = paths[ids[0]] if ids else ([name] if name in modules else [])
        if not targets:
            raise ConfigError(f"--freeze {name!r} is neither a node id of the model nor a "
                              "module path (e.g. blocks.0)")
        for path in targets:
            module = modules.get(path)
            for p in module.parameters() if module is not None else ():
                if p.requires_grad:
                    p.requires_grad_(False)
                    frozen += 1
    return frozen


def fresh_config(given: dict[str, Any]) -> Any:
    """The :class:`TrainConfig` of a new run from the settings a person gave (flags and a
    ``--config`` file): a source or weights to start from are required, and a run from
    pretrained weights takes the fine-tuning learning rate unless one was given."""
    from olm.train.config import TrainConfig

    if given.get("source") is None and given.get("init_from") is None:
        raise ConfigError("give a SOURCE (preset, .olm.json or .py), --init-from WEIGHTS or "
                       "--resume DIR")
    if given.get("init_from") is not None and "lr" not in given:
        given = {**given, "lr": FINETUNE_LR}  # 10x below pretraining's default
    return TrainConfig(**given)

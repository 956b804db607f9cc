"""Guided lessons: the reference page's swaps, one at a time, checked on the user's own model.

"Modernise GPT-2" walks GPT-2 to the Llama recipe (positions → RoPE, LayerNorm → RMSNorm,
GELU MLP → SwiGLU, MHA → GQA, no biases, then a mixture of experts); its optional second
part goes on from Llama 3 to Qwen 3's QK-norm and DeepSeek-V3's latent attention and
fine-grained experts. Each step is data: what to do, a check that reads the document
(so any way of making the edit counts), the commands that make it for a user who asks
("show me"), and a two-sentence explanation of what changed and why. The Studio's lesson
panel only renders these; scripts and tests can walk a lesson without Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from olm.core.errors import OLMError
from olm.graph.catalog import catalog
from olm.graph.commands import Command, RemoveNode, ReplaceNode, SetParam
from olm.graph.document import Graph, Node
from olm.graph.stats import stats
from olm.graph.suggest import kv_heads_for
from olm.graph.values import resolve

__all__ = ["Lesson", "LessonStep", "LESSONS", "MODERNISE_GPT2", "BEYOND_LLAMA", "lesson_figures"]


# -- reading the document -----------------------------------------------------------------
def _env(graph: Graph) -> dict:
    return graph.variable_values()[0]


def _family(node: Node) -> str | None:
    if node.is_container or node.type not in catalog():
        return None
    return catalog().get(node.type).family


def _nodes(graph: Graph, family: str) -> list[Node]:
    return [n for n in graph.nodes.values() if _family(n) == family]


def _value(graph: Graph, node: Node, name: str):
    """A parameter's resolved value, or its catalog default when it is not set."""
    if name in node.params:
        try:
            return resolve(node.params[name], _env(graph))
        except (OLMError, ValueError, TypeError, KeyError):
            return None
    param = catalog().get(node.type).param(name)
    return None if param is None or param.required else param.default


def _has_rope(graph: Graph, node: Node) -> bool:
    spec = catalog().get(node.type)
    if spec.param("rope_theta") is None:
        return False
    return spec.param("use_rope") is None or bool(_value(graph, node, "use_rope"))


def _positional(graph: Graph) -> list[Node]:
    """Embeddings that add positions to the tokens (everything but the token table)."""
    return [n for n in _nodes(graph, "embedding") if n.type != "Embedding"]


def _biased(graph: Graph) -> list[Node]:
    out = []
    for node in graph.nodes.values():
        if _family(node) in (None, "structure"):
            continue
        spec = catalog().get(node.type)
        names = [p.name for p in spec.params if p.name in ("bias", "use_bias", "qkv_bias")]
        if any(_value(graph, node, name) for name in names):
            out.append(node)
    return out


def _feedforwards(graph: Graph) -> list[Node]:
    return _nodes(graph, "feedforward") + _nodes(graph, "moe")


def _heads(graph: Graph, node: Node) -> int:
    heads = _value(graph, node, "num_heads")
    return int(heads) if isinstance(heads, int) else 1


def _head_dim(graph: Graph, node: Node) -> int:
    width = _value(graph, node, "embed_dim")
    return max(1, int(width) // _heads(graph, node)) if isinstance(width, int) else 64


# -- steps ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class LessonStep:
    """One swap of a lesson.

    Args:
        key (str): stable id of the step.
        title (str): short name ("Positions → RoPE").
        instruction (str): what to do on the canvas, in one or two sentences.
        explanation (str): what changed and why, shown once the step is done.
        done (Callable[[Graph], bool]): reads the document: is the swap made?
        show (Callable[[Graph], list[Command]]): the commands that make it ("show me").
    """

    key: str
    title: str
    instruction: str
    explanation: str
    done: Callable[[Graph], bool]
    show: Callable[[Graph], list[Command]]


@dataclass(frozen=True)
class Lesson:
    """A named sequence of steps that starts from a preset.

    Args:
        key (str): stable id.
        title (str): shown in the Help menu and the panel.
        start (str): the preset the lesson starts from.
        intro (str): one paragraph shown before the first step.
        steps (tuple[LessonStep, ...]): in order.
        outro (str): shown when every step is done.
    """

    key: str
    title: str
    start: str
    intro: str
    steps: tuple[LessonStep, ...]
    outro: str

    def progress(self, graph: Graph) -> int:
        """Index of the first step not yet done (``len(steps)`` when all are)."""
        for i, step in enumerate(self.steps):
            if not step.done(graph):
                return i
        return len(self.steps)

    def completed(self, graph: Graph) -> Iterator[LessonStep]:
        """The steps whose check passes now, in order, up to the first that does not."""
        return iter(self.steps[: self.progress(graph)])


def _rope_done(graph: Graph) -> bool:
    attention = _nodes(graph, "attention")
    return bool(attention) and not _positional(graph) and all(_has_rope(graph, n) for n in attention)


def _rope_show(graph: Graph) -> list[Command]:
    commands: list[Command] = [RemoveNode(n.id) for n in _positional(graph)]
    for node in _nodes(graph, "attention"):
        if not _has_rope(graph, node):
            target = "FlashAttentionwithRoPE" if node.type == "FlashAttention" else "GroupedQueryAttention"
            commands.append(ReplaceNode(node.id, target))
    return commands


def _rms_done(graph: Graph) -> bool:
    norms = _nodes(graph, "norm")
    return bool(norms) and all(n.type == "RMSNorm" for n in norms)


def _rms_show(graph: Graph) -> list[Command]:
    return [ReplaceNode(n.id, "RMSNorm") for n in _nodes(graph, "norm") if n.type != "RMSNorm"]


def _swiglu_done(graph: Graph) -> bool:
    ffns = _nodes(graph, "feedforward")
    return bool(_feedforwards(graph)) and all(n.type == "SwiGLUFFN" for n in ffns)


def _swiglu_show(graph: Graph) -> list[Command]:
    return [ReplaceNode(n.id, "SwiGLUFFN") for n in _nodes(graph, "feedforward")
            if n.type != "SwiGLUFFN"]


def _gqa_done(graph: Graph) -> bool:
    attention = _nodes(graph, "attention")
    return bool(attention) and all(
        n.type == "GroupedQueryAttention"
        and isinstance(_value(graph, n, "num_kv_heads"), int)
        and _value(graph, n, "num_kv_heads") < _heads(graph, n)
        for n in attention
    )


def _gqa_show(graph: Graph) -> list[Command]:
    commands: list[Command] = []
    for node in _nodes(graph, "attention"):
        kv = kv_heads_for(_heads(graph, node))
        if node.type != "GroupedQueryAttention":
            commands.append(ReplaceNode(node.id, "GroupedQueryAttention"))
        commands.append(SetParam(node.id, "num_kv_heads", kv))
    return commands


def _biases_done(graph: Graph) -> bool:
    return not _biased(graph)


def _biases_show(graph: Graph) -> list[Command]:
    commands: list[Command] = []
    for node in _biased(graph):
        spec = catalog().get(node.type)
        for name in ("bias", "use_bias", "qkv_bias"):
            if spec.param(name) is not None and _value(graph, node, name):
                commands.append(SetParam(node.id, name, False))
    return commands


def _moe_done(graph: Graph) -> bool:
    return bool(_nodes(graph, "moe")) and not _nodes(graph, "feedforward")


def _moe_show(graph: Graph) -> list[Command]:
    commands: list[Command] = []
    for node in _nodes(graph, "feedforward"):
        commands += [ReplaceNode(node.id, "SwiGLUMoEFFN"), SetParam(node.id, "num_experts", 8),
                     SetParam(node.id, "top_k", 2), SetParam(node.id, "bias", False)]
    return commands


def _qk_norm_done(graph: Graph) -> bool:
    attention = _nodes(graph, "attention")
    return bool(attention) and all(
        n.type == "MultiHeadLatentAttention" or _value(graph, n, "use_qk_norm") is True
        for n in attention
    )


def _qk_norm_show(graph: Graph) -> list[Command]:
    return [SetParam(n.id, "use_qk_norm", True) for n in _nodes(graph, "attention")
            if catalog().get(n.type).param("use_qk_norm") is not None
            and not _value(graph, n, "use_qk_norm")]


def _mla_done(graph: Graph) -> bool:
    attention = _nodes(graph, "attention")
    return bool(attention) and all(n.type == "MultiHeadLatentAttention" for n in attention)


def _mla_show(graph: Graph) -> list[Command]:
    commands: list[Command] = []
    for node in _nodes(graph, "attention"):
        if node.type == "MultiHeadLatentAttention":
            continue
        hd = _head_dim(graph, node)
        commands += [
            ReplaceNode(node.id, "MultiHeadLatentAttention"),
            SetParam(node.id, "kv_lora_rank", 4 * hd),
            SetParam(node.id, "qk_nope_head_dim", hd),
            SetParam(node.id, "qk_rope_head_dim", max(2, hd // 2)),
            SetParam(node.id, "v_head_dim", hd),
        ]
    return commands


def _fine_moe_done(graph: Graph) -> bool:
    ffns = _feedforwards(graph)
    return bool(ffns) and all(n.type == "DeepSeekMoEFFN" for n in ffns)


def _fine_moe_show(graph: Graph) -> list[Command]:
    commands: list[Command] = []
    for node in _feedforwards(graph):
        if node.type == "DeepSeekMoEFFN":
            continue
        width = _value(graph, node, "hidden_dim")
        small = max(8, int(width) // 4) if isinstance(width, int) else 64
        commands += [
            ReplaceNode(node.id, "DeepSeekMoEFFN"),
            SetParam(node.id, "num_experts", 16),
            SetParam(node.id, "top_k", 4),
            SetParam(node.id, "hidden_dim", small),
            SetParam(node.id, "num_shared_experts", 1),
        ]
    return commands


MODERNISE_GPT2 = Lesson(
    key="modernise-gpt2",
    title="Modernise GPT-2",
    start="GPT2",
    intro=(
        "GPT-2 (2019) and Llama 3 (2024) are the same kind of model: a stack of attention and "
        "feed-forward layers with skips around them. Five years of small changes separate them. "
        "Make each change yourself on the canvas; the lesson checks your model after every edit "
        "and shows what the change cost."
    ),
    steps=(
        LessonStep(
            "rope", "Positions → RoPE",
            "Delete the AbsolutePositionalEmbedding, then right-click the attention → Replace "
            "with… and pick an attention with RoPE (FlashAttentionwithRoPE).",
            "Instead of adding a learned vector per position, RoPE rotates queries and keys by "
            "an angle that grows with position, so attention sees relative distance. The "
            "position table's parameters are gone and the model is no longer tied to 1024 tokens.",
            _rope_done, _rope_show,
        ),
        LessonStep(
            "rmsnorm", "LayerNorm → RMSNorm",
            "Replace every LayerNorm with RMSNorm (right-click → Replace all LayerNorm with…).",
            "RMSNorm only rescales by the root mean square; it drops LayerNorm's mean subtraction "
            "and bias. It is cheaper and trains as well, which is why every model since Llama uses it.",
            _rms_done, _rms_show,
        ),
        LessonStep(
            "swiglu", "GELU MLP → SwiGLU",
            "Replace the feed-forward (ClassicFFN) with SwiGLUFFN.",
            "A gated feed-forward multiplies two projections, one passed through SiLU, before "
            "projecting back. For the same parameters it learns faster (Shazeer, 2020); note how "
            "the three matrices change the count.",
            _swiglu_done, _swiglu_show,
        ),
        LessonStep(
            "gqa", "Multi-head → grouped-query attention",
            "Replace the attention with GroupedQueryAttention and give it fewer key/value heads "
            "than query heads (for example a quarter).",
            "Several query heads now share one key/value head. Quality barely moves, but the KV "
            "cache that decoding keeps per token shrinks by the group size: watch the KV figure.",
            _gqa_done, _gqa_show,
        ),
        LessonStep(
            "biases", "Drop the biases",
            "Turn off every bias: the attention's use_bias and qkv_bias, the feed-forward's bias.",
            "Biases add few parameters and little quality at this scale, and without them the "
            "model is simpler to scale and shard. The Llama recipe is complete: compare with the "
            "Llama 3 preset (File → Compare with…).",
            _biases_done, _biases_show,
        ),
        LessonStep(
            "moe", "Then: a mixture of experts",
            "Replace the feed-forward with SwiGLUMoEFFN (8 experts, top 2).",
            "Each token now goes to 2 of 8 expert feed-forwards. The model holds far more "
            "parameters, but the active parameters per token, and so the FLOPs, grow much less.",
            _moe_done, _moe_show,
        ),
    ),
    outro=(
        "Your GPT-2 now has Llama 3's recipe plus experts. Train it and the original at trial "
        "scale (Train → Train at trial scale) and compare the curves in the Train workspace."
    ),
)

BEYOND_LLAMA = Lesson(
    key="beyond-llama",
    title="Beyond Llama: Qwen 3 and DeepSeek-V3",
    start="Llama3_2_1B",
    intro=(
        "The 2025 models keep the Llama recipe and change two places: how attention is kept "
        "stable and cheap, and how the feed-forward is split into experts."
    ),
    steps=(
        LessonStep(
            "qk-norm", "QK-norm (Qwen 3)",
            "Select the attention and tick use_qk_norm in the inspector.",
            "Queries and keys are RMS-normalised per head before RoPE, so attention logits "
            "cannot grow without bound as training goes on. It costs two tiny gain vectors.",
            _qk_norm_done, _qk_norm_show,
        ),
        LessonStep(
            "mla", "Latent attention (DeepSeek-V3)",
            "Replace the attention with MultiHeadLatentAttention.",
            "Keys and values are expanded from one small latent per token, and only that latent "
            "is cached: the KV cache per token drops far below even GQA's.",
            _mla_done, _mla_show,
        ),
        LessonStep(
            "fine-moe", "Fine-grained experts (DeepSeek-V3)",
            "Replace the feed-forward with DeepSeekMoEFFN: many small experts and a shared one.",
            "Splitting experts finely lets each token combine more specialists, while a shared "
            "expert holds what every token needs; load is balanced by a routing bias rather "
            "than an extra loss.",
            _fine_moe_done, _fine_moe_show,
        ),
    ),
    outro="You have rebuilt the main ideas of DeepSeek-V3 on a Llama 3 model.",
)

LESSONS: dict[str, Lesson] = {lesson.key: lesson for lesson in (MODERNISE_GPT2, BEYOND_LLAMA)}


def lesson_figures(graph: Graph) -> dict[str, int]:
    """The figures a lesson compares before and after a step."""
    figures = stats(graph)
    return {
        "total_params": figures.total_params,
        "active_params": figures.active_params,
        "forward_flops_per_token": figures.forward_flops_per_token,
        "kv_cache_bytes_per_token": figures.kv_cache_bytes_per_token,
    }

"""``olm info SOURCE``: what a model is and what it costs, without allocating weights.

SOURCE is a preset name (``Llama3_1_8B``), a ``.olm.json`` project, a checkpoint folder, a
``.py`` file (parsed, never executed), a Hugging Face folder or a ``.gguf`` file (described
from their metadata; no weights are read). Prints parameters (total and active), FLOPs per
token, weight memory, KV-cache size, the largest parts and any diagnostics; ``--json``
prints the same as one JSON object. Exits 1 when the model has errors.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

__all__ = ["register", "run", "report", "human_count", "human_bytes", "human_flops"]


def _scaled(n: float, units: tuple[tuple[float, str], ...], plain: str) -> str:
    """``n`` in the largest unit it reaches; integers of any size never overflow.

    An integer too large for a float (a parameter total near ``10**306`` and beyond) is
    divided as a :class:`~decimal.Decimal` instead of raising ``OverflowError``.
    """
    from decimal import Decimal

    if isinstance(n, bool) or not isinstance(n, (int, float)):
        return str(n)
    value: float | Decimal = n
    if isinstance(n, int) and abs(n) >= 10**300:
        value = Decimal(n)
    for size, unit in units:
        if abs(value) >= size:
            scaled = value / Decimal(size) if isinstance(value, Decimal) else value / size
            return f"{scaled:.3g} {unit}"
    return plain.format(value)


def human_count(n: float) -> str:
    """``8030261248`` → ``"8.03 B"``."""
    return _scaled(n, ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K")), "{:g}")


def human_flops(n: float) -> str:
    """``1.57e10`` → ``"15.7 GFLOP"``."""
    units = ((10**15, "PFLOP"), (10**12, "TFLOP"), (10**9, "GFLOP"), (10**6, "MFLOP"))
    return _scaled(n, units, "{:g} FLOP")


def human_bytes(n: float) -> str:
    """``33554432`` → ``"32 MiB"``."""
    return _scaled(n, ((2**40, "TiB"), (2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")), "{:g} B")


def register(subparsers: Any) -> None:
    """Add the ``info`` sub-command."""
    parser = subparsers.add_parser(
        "info",
        help="parameters, FLOPs, memory and diagnostics of a model",
        description=__doc__.split("\n\n")[1],
    )
    parser.add_argument("source", help="preset name, .olm.json, checkpoint folder, .py file, "
                        "Hugging Face folder or .gguf file")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--seq-len", type=int, default=None, help="sequence length for FLOPs (default 2048)")
    parser.add_argument("--summary", action="store_true", help="also print the torchinfo table")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", dest="sets",
                        help="change a model variable (repeatable), e.g. --set embed_dim=256")
    parser.set_defaults(func=run)


def _parts(graph, figures) -> list[dict[str, Any]]:
    """The root's children in order, with their parameter counts and shares."""
    from olm.graph.values import ExprError, resolve

    env, _ = graph.variable_values()
    rows = []
    for child in graph.order(graph.root):
        node = graph.nodes[child]
        label = node.type
        if node.type == "Repeat":
            try:
                label = f"Repeat ×{resolve(node.params.get('num_repeat', 1), env)}"
            except ExprError:
                pass
        stat = figures.nodes.get(child)
        rows.append({
            "node_id": child,
            "type": label,
            "params": stat.params if stat else 0,
            "share": stat.share if stat else 0.0,
        })
    return rows


def report(source: str, seq_len: int | None = None,
           sets: list[str] | None = None) -> dict[str, Any]:
    """Everything ``olm info`` prints, as a JSON-able dict (``sets``: ``--set`` overrides)."""
    from olm.cli.source import read_source
    from olm.graph import stats, validate

    graph = read_source(source, overrides=sets)
    figures = stats(graph, seq_len=seq_len)
    data = figures.to_dict()
    data.pop("nodes")
    env, _ = graph.variable_values()
    return {
        "name": graph.name,
        "source": source,
        "variables": env,
        "stats": data,
        "parts": _parts(graph, figures),
        "diagnostics": [d.to_dict() for d in validate(graph, seq_len=None)],
    }


def _print(info: dict[str, Any]) -> None:
    s = info["stats"]
    lines = [
        f"{info['name']}",
        f"  parameters       {s['total_params']:,} ({human_count(s['total_params'])})",
    ]
    if s["active_params"] != s["total_params"]:
        lines.append(f"  active per token {s['active_params']:,} ({human_count(s['active_params'])})")
    lines += [
        f"  forward FLOPs    {human_flops(s['forward_flops_per_token'])}/token at seq_len {s['seq_len']}",
        f"  training FLOPs   {human_flops(s['training_flops_per_token'])}/token",
        f"  weights          {human_bytes(s['weight_bytes_fp32'])} fp32 · {human_bytes(s['weight_bytes_bf16'])} bf16",
        f"  KV cache         {human_bytes(s['kv_cache_bytes_per_token'])}/token (bf16)",
        "  parts:",
    ]
    for part in info["parts"]:
        lines.append(f"    {part['type']:<24} {human_count(part['params']):>9}  {part['share']:6.1%}")
    diagnostics = info["diagnostics"]
    if not diagnostics:
        lines.append("  diagnostics      none: the model is valid")
    for d in diagnostics:
        lines.append(f"  {d['severity']}: {d['message']}")
    print("\n".join(lines))


def run(args: argparse.Namespace) -> int:
    """Print the report; exit status 1 when the model has errors."""
    sets = getattr(args, "sets", None)
    info = report(args.source, seq_len=args.seq_len, sets=sets)
    failed = any(d["severity"] == "error" for d in info["diagnostics"])
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        _print(info)
        if args.summary and not failed:  # a model with errors cannot be built to summarise
            from olm.cli.source import read_source
            from olm.graph import summary

            print(summary(read_source(args.source, overrides=sets)))
    return 1 if failed else 0

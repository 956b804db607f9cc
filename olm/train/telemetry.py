"""Training telemetry: per-node statistics of the model, collected with hooks every N steps.

For every node of the run's graph document (mapped to modules by
:func:`olm.graph.module_map.node_modules`) a collection measures, on one optimizer step:

* ``act_rms``: root mean square of the node's output (over all micro-batches);
* ``grad_norm``: L2 norm of the gradients of the node's own parameters (before clipping);
* ``update_ratio``: ``||w_after - w_before|| / ||w_before||`` of the optimizer step;
* attention nodes: ``attn_entropy`` (mean softmax entropy in nats over a few sampled
  query rows of the first sequence, recomputed beside SDPA), ``attn_entropy_norm`` (that
  entropy over the uniform one, ``log(keys)``: 0 = one key, 1 = uniform) and
  ``attn_max_logit``;
* MoE nodes: ``expert_load`` (fraction of routing slots per expert) and
  ``router_entropy`` (mean entropy of the router's softmax);
* norms: ``norm_gain`` (mean of the gain vector).

Hooks are attached only for the collected step and removed after it, so the other steps
run untouched. Values stay on the device until one transfer at the end. Under DDP every
rank collects and the sums are all-reduced, so rank 0 reports values over all ranks
(gradients and updates are already identical after DDP's all-reduce). Nodes inside a
``Repeat`` get lists with one entry per layer (``None`` for layers of another variant).
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.distributed as dist
from torch import Tensor, nn

from olm.core.dist import all_reduce
from olm.graph.document import CONTAINERS
from olm.graph.module_map import NodeModules, node_modules

__all__ = ["Telemetry", "SAMPLED_ROWS", "attention_rows_stats"]

SAMPLED_ROWS = 8
"""Query rows (of the first sequence) whose attention scores are recomputed."""


def _own_params(module: nn.Module) -> list[nn.Parameter]:
    """The trainable parameters of a leaf node's module (a leaf is one component, so its
    whole subtree)."""
    return [p for p in module.parameters() if p.requires_grad]


def sampled_rows(n: int, count: int = SAMPLED_ROWS) -> list[int]:
    """Evenly spread query rows over the second half of a length-``n`` sequence (early
    rows see too few keys to say anything about entropy)."""
    lo = n // 2
    if n - lo <= count:
        return list(range(lo, n))
    return sorted({lo + round(i * (n - 1 - lo) / (count - 1)) for i in range(count)})


@torch.no_grad()
def attention_rows_stats(module: nn.Module, x: Tensor, rows: list[int]) -> tuple[Tensor, Tensor, Tensor]:
    """(mean entropy, mean normalised entropy, max logit) of causal attention for ``rows``
    of ``x[0]``, recomputed from the layer's own projections.

    Args:
        module: an attention layer with a fused ``qkv_proj`` (olm's attention layers).
        x: the layer's input ``[B, N, D]``.
        rows: query positions to recompute.
    """
    x0 = x[:1]
    n = x0.shape[1]
    q, k, _ = module.qkv_proj(x0).split(module.qkv_sizes, dim=-1)
    q = q.view(1, n, module.num_heads, module.head_dim).transpose(1, 2)
    k = k.view(1, n, module.num_kv_heads, module.head_dim).transpose(1, 2)
    q, k = module._prepare_qk(q, k, 0)
    idx = torch.tensor(rows, device=x.device)
    q = q[:, :, idx].float()  # [1, H, R, hd]
    groups = module.num_heads // module.num_kv_heads
    k = k.float().repeat_interleave(groups, dim=1)  # [1, H, N, hd]
    scores = torch.matmul(q, k.transpose(-2, -1)) * module.scale  # [1, H, R, N]
    softcap = getattr(module, "attn_logit_softcap", None)
    if softcap is not None:
        scores = torch.tanh(scores / softcap) * softcap
    alibi = getattr(module, "alibi", None)
    if alibi is not None:  # ALiBi's distance bias is part of the logits
        scores = scores + alibi(n, n, device=x.device).float()[:, :, idx]
    keys = torch.arange(n, device=x.device)
    if getattr(module, "causal", True):
        keep = keys[None, :] <= idx[:, None]
    else:
        keep = torch.ones(len(rows), n, dtype=torch.bool, device=x.device)
    window = getattr(module, "sliding_window", None)
    if window is not None:
        keep &= keys[None, :] > idx[:, None] - window
    max_logit = scores.masked_fill(~keep, float("-inf")).amax()
    logp = torch.log_softmax(scores.masked_fill(~keep, float("-inf")), dim=-1)
    ent = -(logp.exp() * logp.masked_fill(~keep, 0.0)).sum(-1)  # [1, H, R]
    visible = keep.sum(-1).float()  # [R]
    uniform = torch.log(visible).clamp_min(1e-12)
    norm = torch.where(visible > 1, ent / uniform, torch.zeros_like(ent))
    return ent.mean(), norm.mean(), max_logit


def _entropy(probs: Tensor) -> Tensor:
    p = probs.float()
    return -(p * torch.log(p.clamp_min(1e-30))).sum(-1).mean()


class _Site:
    """The accumulators of one module (one node, one layer) during a collected step."""

    def __init__(self) -> None:
        self.sq = None  # sum of squares of the output
        self.count = 0  # elements summed
        self.attn: list[Tensor] = []  # [entropy, norm entropy, max logit] per micro-batch
        self.counts = None  # expert routing slots
        self.router_ent: list[Tensor] = []
        self.grad_sq: Tensor | None = None
        self.before: list[Tensor] = []
        self.update: float | None = None


class Telemetry:
    """Collects telemetry of ``model`` keyed by the node ids of ``graph``.

    Use :meth:`arm` before a step, :meth:`inspect` between backward and the optimizer step
    (``TrainStep.inspect``), and :meth:`finish` after it, which returns the ``nodes`` dict
    of a :class:`~olm.train.events.TelemetryEvent`.

    Args:
        model (nn.Module): the bare model (not DDP-wrapped).
        graph: the run's graph document ``model`` was built from.
        every (int): collect every this many optimizer steps.
    """

    def __init__(self, model: nn.Module, graph: Any, every: int) -> None:
        self.every = every
        self.map: dict[str, NodeModules] = node_modules(graph, model)
        self._sites: dict[tuple[str, int], _Site] = {}
        self._handles: list[Any] = []
        self.armed = False

    def due(self, step: int) -> bool:
        """Whether optimizer step ``step`` (1 = the first) is collected."""
        return self.every > 0 and step % self.every == 0

    # -- hooks ---------------------------------------------------------------------------
    def _leaf_modules(self):
        for entry in self.map.values():
            for layer, module in enumerate(entry.modules):
                if module is not None:
                    yield entry, layer, module

    def arm(self) -> None:
        """Attach hooks for the next step."""
        self._sites = {}
        for entry, layer, module in self._leaf_modules():
            site = self._sites[(entry.node_id, layer)] = _Site()
            self._handles.append(module.register_forward_hook(self._act_hook(site)))
            family = getattr(module, "family", None)
            if family == "attention" and hasattr(module, "qkv_proj"):
                self._handles.append(module.register_forward_pre_hook(self._attn_hook(module, site)))
            if hasattr(module, "last_expert_counts"):
                self._handles.append(module.register_forward_hook(self._moe_hook(module, site)))
        self.armed = True

    @staticmethod
    def _act_hook(site: _Site):
        def hook(_module, _inputs, output):
            if isinstance(output, (tuple, list)):
                output = output[0] if output else None
            if not isinstance(output, Tensor) or not output.is_floating_point():
                return
            with torch.no_grad():
                sq = output.detach().float().pow(2).sum()
            site.sq = sq if site.sq is None else site.sq + sq
            site.count += output.numel()
        return hook

    @staticmethod
    def _attn_hook(module: nn.Module, site: _Site):
        def hook(_module, inputs):
            if not inputs or not isinstance(inputs[0], Tensor) or inputs[0].dim() != 3:
                return
            x = inputs[0]
            rows = sampled_rows(x.shape[1])
            if rows:
                site.attn.append(torch.stack(attention_rows_stats(module, x.detach(), rows)))
        return hook

    @staticmethod
    def _moe_hook(module: nn.Module, site: _Site):
        def hook(_module, inputs, _output):
            counts = getattr(module, "last_expert_counts", None)
            if isinstance(counts, Tensor):
                c = counts.detach().float()
                site.counts = c if site.counts is None else site.counts + c
            router = getattr(module, "router", None)
            if router is not None and hasattr(router, "route") and inputs:
                with torch.no_grad():
                    tokens = inputs[0].detach().reshape(-1, inputs[0].shape[-1])
                    site.router_ent.append(_entropy(router.route(tokens)[0]))
        return hook

    def _disarm(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []
        self.armed = False

    @torch.no_grad()
    def inspect(self) -> None:
        """Between backward and the optimizer step: gradient norms and weights before."""
        if not self.armed:
            return
        self._disarm()  # the forward passes are over
        for entry, layer, module in self._leaf_modules():
            if entry.type in CONTAINERS:  # weights are counted at the leaves
                continue
            site = self._sites[(entry.node_id, layer)]
            params = _own_params(module)
            grads = [p.grad.detach().float().pow(2).sum() for p in params if p.grad is not None]
            if grads:
                site.grad_sq = torch.stack(grads).sum()
            site.before = [p.detach().clone() for p in params]
        self.armed = True

    # -- results -------------------------------------------------------------------------
    @torch.no_grad()
    def finish(self) -> dict[str, dict[str, Any]]:
        """After the optimizer step: the ``nodes`` of the telemetry event (rank 0's copy
        holds values over all ranks)."""
        self._disarm()
        sites = self._sites
        self._sites = {}
        reduce = dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1
        world = dist.get_world_size() if reduce else 1
        # one flat vector of everything that differs between ranks, reduced at once
        parts: list[Tensor] = []
        layout: list[tuple[_Site, str, int]] = []
        device = None
        for site in sites.values():
            if site.sq is not None:
                device = site.sq.device
                parts.append(torch.stack([site.sq, site.sq.new_tensor(float(site.count))]))
                layout.append((site, "sq", 2))
            if site.attn:
                parts.append(torch.stack(site.attn).mean(0))
                layout.append((site, "attn", 3))
            if site.counts is not None:
                parts.append(site.counts)
                layout.append((site, "counts", site.counts.numel()))
            if site.router_ent:
                parts.append(torch.stack(site.router_ent).mean().reshape(1))
                layout.append((site, "router", 1))
        flat = torch.cat([p.reshape(-1).float().to(device) for p in parts]) if parts else None
        if flat is not None and reduce:
            all_reduce(flat)
        values = flat.cpu().tolist() if flat is not None else []
        # update ratios and grad norms (identical on every rank after DDP's all-reduce)
        extra: list[Tensor] = []
        for entry, layer, module in self._leaf_modules():
            site = sites.get((entry.node_id, layer))
            if site is None or not site.before:
                continue
            params = _own_params(module)
            dw = torch.stack([(p.detach().float() - b.float()).pow(2).sum()
                              for p, b in zip(params, site.before)]).sum()
            w = torch.stack([b.float().pow(2).sum() for b in site.before]).sum()
            g = site.grad_sq if site.grad_sq is not None else dw.new_tensor(float("nan"))
            extra.append(torch.stack([dw.sqrt(), w.sqrt(), g.sqrt()]))
        extra_v = torch.stack(extra).cpu().tolist() if extra else []
        per_site: dict[int, dict[str, Any]] = {}
        pos = 0
        for site, kind, size in layout:
            chunk = values[pos:pos + size]
            pos += size
            out = per_site.setdefault(id(site), {})
            if kind == "sq":
                out["act_rms"] = math.sqrt(chunk[0] / chunk[1]) if chunk[1] else None
            elif kind == "attn":
                out["attn_entropy"] = chunk[0] / world
                out["attn_entropy_norm"] = chunk[1] / world
                out["attn_max_logit"] = chunk[2] / world
            elif kind == "counts":
                total = sum(chunk)
                out["expert_load"] = [c / total if total else 0.0 for c in chunk]
            elif kind == "router":
                out["router_entropy"] = chunk[0] / world
        i = 0
        for entry, layer, module in self._leaf_modules():
            site = sites.get((entry.node_id, layer))
            if site is None:
                continue
            out = per_site.setdefault(id(site), {})
            if site.before:
                dw, w, g = extra_v[i]
                i += 1
                out["grad_norm"] = None if math.isnan(g) else g
                out["update_ratio"] = dw / w if w > 0 else None
            gain = _gain(module)
            if gain is not None:
                out["norm_gain"] = gain
        return self._by_node(sites, per_site)

    def _by_node(self, sites: dict, per_site: dict) -> dict[str, dict[str, Any]]:
        nodes: dict[str, dict[str, Any]] = {}
        for entry in self.map.values():
            layers = len(entry.modules)
            metrics: dict[str, Any] = {}
            for layer in range(layers):
                site = sites.get((entry.node_id, layer))
                values = per_site.get(id(site), {}) if site is not None else {}
                for name, value in values.items():
                    if not entry.layered:
                        metrics[name] = _finite(value)
                    else:
                        metrics.setdefault(name, [None] * layers)[layer] = _finite(value)
            if metrics:
                nodes[entry.node_id] = metrics
        return nodes


def _gain(module: nn.Module) -> float | None:
    if getattr(module, "family", None) != "norm":
        return None
    weight = getattr(module, "weight", None)
    if not isinstance(weight, Tensor):
        return None
    return float(weight.detach().float().mean())


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value

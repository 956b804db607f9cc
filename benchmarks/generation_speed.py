"""Greedy generation speed with the KV cache: ``olm.generation.greedy`` versus ``transformers``.

A tiny Llama and a tiny GPT-2 are built locally with ``transformers`` (random weights,
nothing downloaded), saved with ``save_pretrained`` and imported into olm with
``olm.interop.hf.load_hf``, so both sides run the same weights. Both decode the same prompt
greedily with their key/value cache, the same number of tokens, on the same threads;
the token ids are checked equal before timing. ``transformers`` runs its default
``generate`` (SDPA attention, dynamic cache) and, where it is faster, its static cache;
the faster of the two is the reference.

The figure is ``ratio = olm tokens/s / transformers tokens/s`` (>= 1.0 means olm decodes
at least as fast). Candidates are timed in alternation in one process; medians.

Run: ``python benchmarks/generation_speed.py [--threads 1] [--new-tokens 48] [--cpu-clock]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import interleaved_medians  # noqa: E402

from olm.generation import greedy  # noqa: E402
from olm.interop.hf import load_hf  # noqa: E402

VOCAB, DIM, LAYERS, HEADS, KV_HEADS, FFN, CTX = 1024, 256, 4, 8, 2, 688, 512
_NO_SPECIAL = dict(bos_token_id=None, eos_token_id=None, pad_token_id=None)


def hf_configs() -> dict[str, object]:
    import transformers as T

    return {
        "llama": T.LlamaConfig(
            vocab_size=VOCAB, hidden_size=DIM, intermediate_size=FFN, num_hidden_layers=LAYERS,
            num_attention_heads=HEADS, num_key_value_heads=KV_HEADS,
            max_position_embeddings=CTX, tie_word_embeddings=False, **_NO_SPECIAL,
        ),
        "gpt2": T.GPT2Config(
            vocab_size=VOCAB, n_embd=DIM, n_layer=LAYERS, n_head=HEADS, n_positions=CTX,
            **_NO_SPECIAL,
        ),
    }


def build_pair(name: str, folder: Path, device: torch.device):
    """(transformers model, olm model with the same weights), both in eval mode."""
    import transformers as T

    torch.manual_seed(0)
    hf = T.AutoModelForCausalLM.from_config(hf_configs()[name], attn_implementation="sdpa")
    with torch.no_grad():  # the default init is near-uniform; make the argmax meaningful
        for p in hf.parameters():
            if p.dim() >= 2:
                p.normal_(0.0, 0.1)
    hf.save_pretrained(folder / name)
    ours = load_hf(folder / name)
    return hf.to(device).eval(), ours.to(device).eval()


def _hf_generate(model, ids: torch.Tensor, new: int, cache: str | None) -> Callable[[], torch.Tensor]:
    kwargs = dict(max_new_tokens=new, min_new_tokens=new, do_sample=False, use_cache=True,
                  pad_token_id=0, eos_token_id=None)
    if cache is not None:
        kwargs["cache_implementation"] = cache

    def run() -> torch.Tensor:
        with torch.no_grad():
            out = model.generate(ids, attention_mask=torch.ones_like(ids), **kwargs)
        _sync(ids.device)
        return out

    return run


def _olm_generate(model, ids: torch.Tensor, new: int) -> Callable[[], torch.Tensor]:
    def run() -> torch.Tensor:
        out = greedy(model, ids, new)
        _sync(ids.device)
        return out

    return run


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def measure(
    new_tokens: int = 48,
    prompt_len: int = 16,
    batch: int = 1,
    repeats: int = 9,
    device: str = "cpu",
    cpu_clock: bool = False,
    models: tuple[str, ...] = ("llama", "gpt2"),
) -> dict[str, dict[str, float]]:
    """Per model: tokens/s of olm and of the faster transformers cache, and their ratio."""
    dev = torch.device(device)
    clock = time.process_time if cpu_clock else time.perf_counter
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in models:
            hf, ours = build_pair(name, Path(tmp), dev)
            ids = torch.randint(0, VOCAB, (batch, prompt_len),
                                generator=torch.Generator().manual_seed(1)).to(dev)
            candidates = {"olm": _olm_generate(ours, ids, new_tokens),
                          "hf_dynamic": _hf_generate(hf, ids, new_tokens, None)}
            try:
                candidates["hf_static"] = _hf_generate(hf, ids, new_tokens, "static")
                candidates["hf_static"]()
            except Exception:  # an older transformers without a static cache for this model
                del candidates["hf_static"]
            want = candidates["olm"]()
            for key, fn in candidates.items():
                got = fn()
                assert torch.equal(got, want), f"{name}: {key} decoded other tokens than olm"
            t = interleaved_medians(candidates, repeats, warmup=1, clock=clock)
            best = min((k for k in t if k != "olm"), key=t.__getitem__)
            tokens = batch * new_tokens
            results[name] = {
                "olm_tok_s": tokens / t["olm"],
                "hf_tok_s": tokens / t[best],
                "hf_cache": best.removeprefix("hf_"),
                "ratio": t[best] / t["olm"],
                **{f"{k}_s": v for k, v in t.items()},
            }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--new-tokens", type=int, default=48)
    parser.add_argument("--prompt", type=int, default=16)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--cpu-clock", action="store_true",
                        help="time CPU seconds of this process, not wall time (shared machines)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    import transformers

    print(f"greedy decoding with the KV cache: batch {args.batch}, prompt {args.prompt}, "
          f"{args.new_tokens} new tokens, d {DIM}, {LAYERS} layers, {args.threads} threads, "
          f"{args.device}, {'CPU' if args.cpu_clock else 'wall'} clock, "
          f"transformers {transformers.__version__}; ratio = olm tokens/s / transformers tokens/s")
    results = measure(args.new_tokens, args.prompt, args.batch, args.repeats, args.device,
                      args.cpu_clock)
    for name, r in results.items():
        print(f"{name:6s} olm {r['olm_tok_s']:8.1f} tok/s  transformers ({r['hf_cache']} cache) "
              f"{r['hf_tok_s']:8.1f} tok/s  ratio {r['ratio']:.3f}")
    worst = min(results, key=lambda k: results[k]["ratio"])
    print(f"headline: worst ratio {results[worst]['ratio']:.3f} ({worst})")


if __name__ == "__main__":
    main()

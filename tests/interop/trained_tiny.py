"""A tiny chat model trained briefly, as a Hugging Face folder and as a GGUF file.

Random weights give a loss near ln(vocab), where "the fine-tune starts at the pretrained
loss" cannot be told from "the fine-tune started from scratch". This trains the tiny chat
model of :mod:`chat_tiny` for a few dozen steps on standard-library text, so its loss sits
well below ln(vocab), then writes it both ways (the GGUF the way llama.cpp's converter
does, :func:`gguf_tiny.write_gguf`). Nothing is downloaded.
"""

from __future__ import annotations

import sysconfig
from pathlib import Path

import torch

SEQ = 32


def corpus(folder: Path) -> Path:
    """About 60 kB of standard-library Python as one text file."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    path = folder / "corpus.txt"
    path.write_text("\n\n".join((stdlib / n).read_text() for n in
                                ("textwrap.py", "shlex.py", "bisect.py"))[:60_000])
    return path


def make_trained(root: Path, steps: int = 40) -> tuple[dict[str, Path], Path, int]:
    """``({"hf": folder, "gguf": file}, corpus, vocab)`` of the briefly trained model."""
    import transformers as T
    from chat_tiny import make_chat_folder
    from gguf_tiny import write_gguf

    from olm.interop.hf import save_hf
    from olm.store.pretrained import open_pretrained
    from olm.train import TrainConfig, TrainRun

    text = corpus(root)
    make_chat_folder(root / "random")
    torch.manual_seed(0)
    list(TrainRun(TrainConfig(init_from=str(root / "random"), data=str(text), steps=steps,
                              lr=1e-2, warmup_steps=4, batch_size=8, seq_len=SEQ,
                              eval_every=0, eval_batches=1, threads=2, out=str(root / "pre"))))
    trained = open_pretrained(root / "pre")
    save_hf(trained.model, root / "hf", tokenizer=trained.tokenizer)
    model = T.AutoModelForCausalLM.from_pretrained(root / "hf")
    tok = T.AutoTokenizer.from_pretrained(root / "hf")
    write_gguf(model, tok, root / "model.gguf")
    return {"hf": root / "hf", "gguf": root / "model.gguf"}, text, model.config.vocab_size

"""``olm generate`` on every source that carries weights, stopping at end of turn/sequence.

One tiny chat model (tests/interop/chat_tiny.py: its end-of-turn logit is boosted so greedy
decoding stops after a few tokens) is written as a Hugging Face folder, imported as a
project with weights beside it and as a checkpoint folder, and copied into a run folder.
Each gives the same greedy reply as ``transformers``' own ``generate`` with the folder's
``generation_config`` stop ids: the independent reference.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import torch

from olm.cli.main import main
from olm.store.layout import CHECKPOINTS_DIR, STEP_PREFIX

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "interop"))

MAX_NEW = 30


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    from chat_tiny import chat_prompt, make_chat_folder

    root = tmp_path_factory.mktemp("gen")
    hf = root / "hf"
    model, tok = make_chat_folder(hf)
    project = root / "chat.olm.json"
    assert main(["import-hf", str(hf), "-o", str(project)]) == 0
    ckpt = root / "ckpt"
    assert main(["import-hf", str(hf), "-o", str(ckpt)]) == 0
    run = root / "run"
    shutil.copytree(ckpt, run / CHECKPOINTS_DIR / f"{STEP_PREFIX}0000005")
    prompt = chat_prompt(tok)
    with torch.no_grad():
        ref = model.generate(prompt, max_new_tokens=MAX_NEW, do_sample=False,
                             pad_token_id=tok.pad_token_id)
    reply = ref[0, prompt.size(1):].tolist()
    stops = list(model.generation_config.eos_token_id)
    assert reply[-1] in stops and len(reply) < MAX_NEW  # the reference stopped
    text = tok.decode(reply, skip_special_tokens=True)
    return {"hf": hf, "project": project, "checkpoint": ckpt, "run": run}, text


@pytest.mark.parametrize("kind", ["hf", "project", "checkpoint", "run"])
def test_generate_each_weight_source_stops_at_end_of_turn(sources, kind, capsys):
    paths, expected = sources
    capsys.readouterr()
    assert main(["generate", str(paths[kind]), "--chat", "--prompt", "hello there",
                 "--temperature", "0", "--max-new-tokens", str(MAX_NEW),
                 "--device", "cpu"]) == 0
    out = capsys.readouterr().out.rstrip("\n")
    assert out.strip() == expected.strip()


def test_sample_stops_at_any_stop_id():
    from olm.generation import sample

    class Fixed(torch.nn.Module):  # always predicts token 7 after one step of token 3
        def forward(self, ids, **_):
            logits = torch.zeros(ids.size(0), ids.size(1), 10)
            logits[:, :, 7 if ids.size(1) > 2 else 3] = 5.0
            return logits

    out = sample(Fixed(), torch.zeros(1, 2, dtype=torch.long), 20, temperature=0.0,
                 kv_cache=False, eos_id=[9, 7])
    assert out[0].tolist() == [0, 0, 3, 7]
    out = sample(Fixed(), torch.zeros(1, 2, dtype=torch.long), 5, temperature=0.0,
                 kv_cache=False)
    assert out.size(1) == 7  # without stop ids it runs to max_new_tokens


def test_tokenizers_name_their_stop_ids():
    from olm.data.tokenizers import ByteTokenizer

    assert ByteTokenizer().stop_ids() == []

"""A pretrained chat model survives import → (olm files) → export unchanged (issue 14.1).

The model is built locally (tests/interop/chat_tiny.py): added special tokens, a chat
template, two end ids in generation_config.json, end of turn different from BOS.
"""

from __future__ import annotations

import json

import pytest
import torch
import transformers as T
from chat_tiny import MESSAGES, TEMPLATE, chat_prompt, make_chat_folder
from safetensors.torch import load_file
from tokenizers import Tokenizer

from olm.cli.main import main
from olm.data.chat import chat_ids, render_chat
from olm.interop.hf import read_hf, save_hf
from olm.store.pretrained import open_pretrained

IDS = ("bos_token_id", "eos_token_id", "pad_token_id")


@pytest.fixture(scope="module")
def chat(tmp_path_factory):
    folder = tmp_path_factory.mktemp("chat") / "hf"
    model, tok = make_chat_folder(folder)
    return folder, model, tok


def _json(path):
    return json.loads(path.read_text())


def _weights(folder):
    return load_file(str(folder / "model.safetensors"))


def _assert_same_export(original, exported, generation=True):
    names = ["tokenizer_config.json", "chat_template.jinja"]
    for name in names + ["generation_config.json"] * generation:
        assert (exported / name).read_text() == (original / name).read_text(), name
    assert _json(exported / "tokenizer.json") == _json(original / "tokenizer.json")
    a, b = _json(original / "config.json"), _json(exported / "config.json")
    assert {k: b[k] for k in IDS} == {k: a[k] for k in IDS}
    assert b["eos_token_id"] != b["bos_token_id"]
    wa, wb = _weights(original), _weights(exported)
    assert wa.keys() == wb.keys()
    for name in wa:
        assert torch.equal(wa[name], wb[name]), name


def test_import_export_keeps_ids_tokenizer_template_and_weights(chat, tmp_path):
    folder, _, _ = chat
    imported = read_hf(folder)
    save_hf(imported.model, tmp_path / "out", tokenizer=imported.tokenizer)
    _assert_same_export(folder, tmp_path / "out")
    again = read_hf(tmp_path / "out")
    assert again.tokenizer.special_ids() == imported.tokenizer.special_ids()
    assert again.tokenizer.chat_template == imported.tokenizer.chat_template == TEMPLATE
    assert again.tokenizer.stop_ids() == imported.tokenizer.stop_ids()


@pytest.mark.parametrize("output", ["ckpt", "proj/chat.olm.json"])
def test_identity_through_olm_files(chat, tmp_path, output):
    """import-hf → a checkpoint folder or project file → export: the same fields again."""
    folder, _, _ = chat
    assert main(["import-hf", str(folder), "-o", str(tmp_path / output)]) == 0
    opened = open_pretrained(tmp_path / output)
    assert opened.kind == ("checkpoint" if output == "ckpt" else "project")
    save_hf(opened.model, tmp_path / "out", tokenizer=opened.tokenizer)
    _assert_same_export(folder, tmp_path / "out")


def test_transformers_generation_of_export_stops_where_original_does(chat, tmp_path):
    folder, model, tok = chat
    imported = read_hf(folder)
    save_hf(imported.model, tmp_path / "out", tokenizer=imported.tokenizer)
    back = T.AutoModelForCausalLM.from_pretrained(tmp_path / "out").eval()
    back_tok = T.AutoTokenizer.from_pretrained(tmp_path / "out")
    ids = chat_prompt(tok)
    assert torch.equal(chat_prompt(back_tok), ids)
    with torch.no_grad():
        want = model.generate(ids, max_new_tokens=20)
        got = back.generate(ids, max_new_tokens=20)
    assert want.size(1) < ids.size(1) + 20  # the original stops at end of turn...
    assert int(want[0, -1]) in model.generation_config.eos_token_id
    assert torch.equal(got, want)  # ...and so does the export, at the same token


def test_olm_renders_the_chat_template_like_transformers(chat):
    folder, _, tok = chat
    olm_tok = read_hf(folder).tokenizer
    want = tok.apply_chat_template(MESSAGES, add_generation_prompt=True, tokenize=False)
    assert render_chat(olm_tok, MESSAGES) == want
    assert chat_ids(olm_tok, MESSAGES).tolist() == chat_prompt(tok)[0].tolist()


def test_olm_generate_chat_stops_at_end_of_turn(chat, capsys):
    """`olm generate FOLDER --chat` replies with what transformers' greedy reply decodes to."""
    folder, model, tok = chat
    ids = chat_prompt(tok)
    with torch.no_grad():
        want = model.generate(ids, max_new_tokens=20)
    reply = tok.decode(want[0, ids.size(1):], skip_special_tokens=True)
    assert main(["generate", str(folder), "--chat", "--prompt", MESSAGES[0]["content"],
                 "--temperature", "0", "--max-new-tokens", "20", "--device", "cpu"]) == 0
    assert capsys.readouterr().out == reply + "\n"


def test_save_hf_takes_transformers_and_tokenizers_objects(chat, tmp_path):
    folder, _, tok = chat
    model = read_hf(folder).model
    save_hf(model, tmp_path / "fast", tokenizer=tok)
    # a bare transformers tokenizer knows no generation_config: it is derived from its ids
    _assert_same_export(folder, tmp_path / "fast", generation=False)
    assert _json(tmp_path / "fast" / "generation_config.json")["eos_token_id"] == tok.eos_token_id
    raw = Tokenizer.from_file(str(folder / "tokenizer.json"))
    save_hf(model, tmp_path / "raw", tokenizer=raw)
    assert _json(tmp_path / "raw" / "tokenizer.json") == _json(folder / "tokenizer.json")
    back = T.AutoTokenizer.from_pretrained(tmp_path / "raw")
    text = "hello <tool> there<|eot_id|>"
    assert back(text, add_special_tokens=False)["input_ids"] == raw.encode(
        text, add_special_tokens=False).ids


def test_damaged_side_file_is_named(chat, tmp_path):
    import shutil

    from olm.core.errors import OLMError

    folder, _, _ = chat
    shutil.copytree(folder, tmp_path / "bad")
    (tmp_path / "bad" / "generation_config.json").write_text("{not json")
    with pytest.raises(OLMError, match="generation_config.json: not valid JSON"):
        read_hf(tmp_path / "bad")


def test_olm_generate_reads_an_imported_project(chat, tmp_path, capsys):
    """`olm import-hf DIR -o model.olm.json` then `olm generate model.olm.json` (it used to
    refuse: "not a checkpoint or run folder"): the same greedy reply as the folder."""
    folder, _, _ = chat
    project = tmp_path / "model.olm.json"
    assert main(["import-hf", str(folder), "-o", str(project)]) == 0
    args = ["--chat", "--prompt", "hello there", "--temperature", "0", "--max-new-tokens", "12",
            "--device", "cpu"]
    capsys.readouterr()
    assert main(["generate", str(folder), *args]) == 0
    want = capsys.readouterr().out
    assert main(["generate", str(project), *args]) == 0
    assert capsys.readouterr().out == want

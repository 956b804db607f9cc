"""Exports: checkpoint copies `olm generate` reads, standalone Python, Hugging Face folders."""

import runpy

import pytest
import torch
from waiting import WAIT_MS

from olm.core.errors import OLMError
from olm.data.tokenizers import ByteTokenizer
from olm.interop.hf.problems import export_problem
from olm.nn.structure import Block
from olm.store.checkpoint import load, save
from olm_studio.training import export


@pytest.fixture
def checkpoint(tmp_path, tiny):
    torch.manual_seed(0)
    model = tiny.llama()
    graph = tiny.graph_of(model, "tiny-llama")
    folder = save(tmp_path / "ckpt", model, tokenizer=ByteTokenizer(), graph=graph)
    return folder, model, graph


def test_checkpoint_copy_loads_the_same_weights(checkpoint, tmp_path):
    folder, model, _graph = checkpoint
    copied = export.export_checkpoint(folder, tmp_path / "copy")
    checkpoint = load(copied)
    loaded, tokenizer = checkpoint.model, checkpoint.tokenizer
    ids = torch.randint(0, 256, (2, 9))
    torch.testing.assert_close(loaded(ids), model(ids))
    assert tokenizer.vocab_size == 256


def test_checkpoint_export_refuses_to_mix_into_a_folder(checkpoint, tmp_path):
    folder, _m, _g = checkpoint
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine")
    with pytest.raises(OLMError, match="not empty"):
        export.export_checkpoint(folder, busy)
    assert (busy / "keep.txt").read_text() == "mine"
    with pytest.raises(OLMError, match="not a checkpoint"):
        export.export_checkpoint(tmp_path, tmp_path / "x")


def test_python_export_runs_standalone_and_builds_the_same_shapes(checkpoint, tmp_path):
    _folder, model, graph = checkpoint
    path = export.export_python(graph, tmp_path / "model.py")
    namespace = runpy.run_path(str(path), run_name="not_main")
    built = namespace["model"]
    assert isinstance(built, torch.nn.Module)

    def shapes(module):
        return sorted(tuple(p.shape) for p in module.parameters())

    assert shapes(built) == shapes(model)  # same parameters (tied embedding counted once)
    assert built(torch.randint(0, 256, (1, 5))).shape == (1, 5, 256)


def test_hf_export_writes_a_folder_transformers_loads_with_the_same_logits(checkpoint, tmp_path):
    transformers = pytest.importorskip("transformers")
    folder, model, graph = checkpoint
    assert export_problem(graph) is None
    out = export.export_hf(folder, tmp_path / "hf")
    hf = transformers.AutoModelForCausalLM.from_pretrained(str(out)).eval()
    ids = torch.randint(0, 256, (1, 10))
    with torch.no_grad():
        torch.testing.assert_close(hf(ids).logits, model(ids), rtol=1e-4, atol=1e-4)


def test_hf_problem_explains_a_model_that_does_not_map(tiny):
    from olm.nn.embeddings import Embedding

    odd = tiny.graph_of(Block([Embedding(256, 32)]), "odd")
    reason = export_problem(odd)
    assert reason and isinstance(reason, str)


def test_the_export_view_shows_olms_answer(qtbot, tiny):
    from olm.nn.embeddings import Embedding
    from olm_studio.training.export_view import ExportView

    view = ExportView()
    qtbot.addWidget(view)
    for graph in (tiny.graph("gpt2"), tiny.graph_of(Block([Embedding(256, 32)]), "odd")):
        view.set_target(None, graph, "run")
        qtbot.waitUntil(lambda: view.hf_checked, timeout=WAIT_MS)  # checked off the UI thread
        assert view.hf_reason == export_problem(graph)

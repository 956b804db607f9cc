"""The shared training step: learning happens, accumulation is exact, the Trainer API runs."""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn.functional as F
from tiny_models import tiny_llama
from torch.utils.data import DataLoader, TensorDataset

from olm.train import AdamW, CrossEntropyLoss, Trainer, TrainerCallback, TrainStep, param_groups


def _batch(seed, b=4, n=16, v=256):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, v, (b, n + 1), generator=g)
    return ids[:, :-1], ids[:, 1:]


def _plain_grads(model, x, y):
    """Gradients of the full-batch loss, computed with nothing but PyTorch."""
    model.zero_grad()
    F.cross_entropy(model(x).flatten(0, 1), y.flatten()).backward()
    return {n: p.grad.clone() for n, p in model.named_parameters()}


def test_grad_accumulation_equals_one_big_batch():
    torch.manual_seed(0)
    model = tiny_llama()
    x, y = _batch(1, b=4)
    want = _plain_grads(copy.deepcopy(model), x, y)
    for parts in (1, 2, 4):
        m = copy.deepcopy(model)
        opt = torch.optim.SGD(m.parameters(), lr=1.0)
        before = {n: p.detach().clone() for n, p in m.named_parameters()}
        micro = list(zip(x.chunk(parts), y.chunk(parts)))
        TrainStep(m, opt)(micro)  # SGD with lr 1: new = old - grad
        for n, p in m.named_parameters():
            torch.testing.assert_close(before[n] - p.detach(), want[n], rtol=1e-4, atol=1e-6)


def test_step_returns_mean_loss_and_grad_norm():
    torch.manual_seed(0)
    model = tiny_llama()
    x, y = _batch(2)
    ref = copy.deepcopy(model)
    loss_ref = F.cross_entropy(ref(x).flatten(0, 1), y.flatten())
    loss_ref.backward()
    norm_ref = torch.sqrt(sum(p.grad.pow(2).sum() for p in ref.parameters()))
    opt = torch.optim.SGD(model.parameters(), lr=0.0)
    loss, norm = TrainStep(model, opt, grad_clip=1e9)([(x, y)])
    assert float(loss) == pytest.approx(loss_ref.item(), rel=1e-6)
    assert float(norm) == pytest.approx(float(norm_ref), rel=1e-4)


def test_loss_decreases_on_a_repeated_batch():
    torch.manual_seed(0)
    model = tiny_llama()
    opt = AdamW(param_groups(model, 0.0), lr=3e-3)
    step = TrainStep(model, opt, grad_clip=1.0)
    batch = [_batch(3)]
    losses = [float(step(batch)[0]) for _ in range(40)]
    assert losses[-1] < 0.5 * losses[0]


def test_weight_decay_only_on_matrices():
    model = tiny_llama()
    decay, no_decay = param_groups(model, 0.1)
    assert all(p.dim() >= 2 for p in decay["params"])
    assert all(p.dim() < 2 for p in no_decay["params"]) and no_decay["weight_decay"] == 0.0
    n_unique = len({id(p) for p in model.parameters()})
    assert len(decay["params"]) + len(no_decay["params"]) == n_unique  # tied weight counted once


def test_trainer_api_runs_on_cpu():
    torch.manual_seed(0)
    ids = torch.randint(0, 256, (16, 17))
    loader = DataLoader(TensorDataset(ids[:, :-1], ids[:, 1:]), batch_size=4)
    calls = []

    class Record(TrainerCallback):
        def on_step_end(self, trainer, step, loss):
            calls.append((step, loss))

    trainer = Trainer(tiny_llama(), AdamW, loader, device="cpu", context_length=16,
                      use_amp=False, learning_rate=1e-3, use_warmup_cosine=False,
                      callbacks=[Record()])
    losses = trainer.train(epochs=2, log_interval=0)
    assert len(losses) == 8 and trainer.global_step == 8
    assert [s for s, _ in calls] == list(range(1, 9))
    assert trainer.total_tokens_processed == 8 * 4 * 16
    assert isinstance(trainer.loss, CrossEntropyLoss)
    assert trainer.optimizer.param_groups[0]["lr"] == 1e-3  # no schedule


def test_trainer_default_schedule_and_accumulation():
    ids = torch.randint(0, 256, (16, 17))
    loader = DataLoader(TensorDataset(ids[:, :-1], ids[:, 1:]), batch_size=2)
    trainer = Trainer(tiny_llama(), AdamW, loader, device="cpu", context_length=8,
                      grad_accum_steps=2, use_amp=False, learning_rate=1e-3, warmup_steps=1)
    losses = trainer.train(epochs=1, log_interval=0)
    assert len(losses) == 4
    assert trainer.scheduler is not None and trainer.scheduler.total_steps == 4


def test_trainer_checkpoint_and_auto_trainer(tmp_path):
    from olm.train import AutoTrainer, load_trainer_state, load_weights

    ids = torch.randint(0, 256, (8, 17))
    loader = DataLoader(TensorDataset(ids[:, :-1], ids[:, 1:]), batch_size=4)
    trainer = AutoTrainer(tiny_llama(), AdamW, loader, device="cpu", context_length=16,
                          use_amp=False, use_warmup_cosine=False)
    assert type(trainer) is Trainer  # not under torchrun
    trainer.train(1, log_interval=0)
    path = trainer.save_checkpoint(tmp_path / "ckpt")
    fresh = tiny_llama()
    load_weights(path, fresh)
    for a, b in zip(fresh.state_dict().values(), trainer.model.state_dict().values()):
        assert torch.equal(a, b)
    opt = AdamW(param_groups(fresh, 0.0), lr=1e-3)
    assert load_trainer_state(path, opt)["step"] == 2
    assert len(opt.state) == len(trainer.optimizer.state)


def test_moe_aux_loss_joins_the_backward_but_not_the_reported_loss():
    from olm.core.capture import Component

    class FakeMoE(Component):
        """Identity whose aux loss is ``w**2`` (gradient ``2w``), as MoE layers set it."""

        family = "moe"

        def __init__(self) -> None:
            super().__init__()
            self.w = torch.nn.Parameter(torch.tensor([1.5, -2.0]))

        def forward(self, x):
            self.aux_loss = (self.w ** 2).sum()
            return x

    torch.manual_seed(0)
    moe = FakeMoE()
    model = torch.nn.Sequential(tiny_llama(), moe)
    x, y = _batch(5)
    plain = F.cross_entropy(model(x).flatten(0, 1), y.flatten()).item()
    opt = torch.optim.SGD(model.parameters(), lr=1.0)
    loss, _ = TrainStep(model, opt)([(x[:2], y[:2]), (x[2:], y[2:])])
    assert float(loss) == pytest.approx(plain, rel=1e-5)
    # two micro-batches, each adding aux/2: w moved by exactly its gradient 2w
    torch.testing.assert_close(moe.w.detach(), torch.tensor([1.5, -2.0]) * -1.0)

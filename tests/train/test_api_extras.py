"""Lion, ZeROOptimizer (alone), LinearDecayLR, KLLoss and MaskedCELoss against plain PyTorch."""

from __future__ import annotations

import importlib.util

import pytest
import torch
import torch.nn.functional as F

from olm.core.errors import ConfigError
from olm.train import (
    KLLoss,
    LinearDecayLR,
    Lion,
    LossBase,
    MaskedCELoss,
    OptimizerBase,
    ZeROOptimizer,
)


def _lion_by_hand(p, grads, lr, b1, b2, wd):
    """The update from the Lion paper (Algorithm 2), written out step by step."""
    p, m = p.clone(), torch.zeros_like(p)
    for g in grads:
        c = b1 * m + (1 - b1) * g
        p = p - lr * (torch.sign(c) + wd * p)
        m = b2 * m + (1 - b2) * g
    return p, m


def test_lion_two_steps_match_the_formula():
    torch.manual_seed(0)
    w0 = torch.randn(5, 3)
    grads = [torch.randn(5, 3), torch.randn(5, 3)]
    w = torch.nn.Parameter(w0.clone())
    opt = Lion([w], lr=0.01, betas=(0.8, 0.95), weight_decay=0.3)
    assert isinstance(opt, OptimizerBase) and isinstance(opt, torch.optim.Optimizer)
    for g in grads:
        w.grad = g.clone()
        opt.step()
    want, m = _lion_by_hand(w0, grads, 0.01, 0.8, 0.95, 0.3)
    assert torch.allclose(w.detach(), want, atol=1e-7)
    assert torch.allclose(opt.state[w]["exp_avg"], m, atol=1e-7)
    assert not torch.allclose(want, w0)


def test_lion_skips_params_without_grad_and_keeps_state_dict():
    a, b = torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(2))
    opt = Lion([a, b], lr=0.1)
    a.grad = torch.tensor([1.0, -1.0])
    opt.step()
    assert torch.equal(b.detach(), torch.ones(2))
    assert torch.allclose(a.detach(), torch.tensor([0.9, 1.1]))
    fresh = Lion([torch.nn.Parameter(a.detach().clone()), torch.nn.Parameter(torch.ones(2))], lr=0.1)
    fresh.load_state_dict(opt.state_dict())
    assert torch.equal(fresh.state_dict()["state"][0]["exp_avg"], opt.state[a]["exp_avg"])


@pytest.mark.parametrize("kwargs, word", [({"lr": 0.0}, "lr"), ({"betas": (0.9, 1.0)}, "betas"),
                                          ({"weight_decay": -1.0}, "weight_decay")])
def test_lion_rejects_bad_arguments(kwargs, word):
    with pytest.raises(ConfigError, match=word):
        Lion([torch.nn.Parameter(torch.ones(1))], **kwargs)


def test_lion_triton_needs_triton_and_cuda():
    has = importlib.util.find_spec("triton") is not None and torch.cuda.is_available()
    params = [torch.nn.Parameter(torch.ones(1))]
    if has:
        assert Lion(params, use_triton=True).use_triton
    else:
        with pytest.raises(ConfigError, match="use_triton"):
            Lion(params, use_triton=True)


def test_zero_optimizer_is_a_pass_through_without_a_process_group():
    p = torch.nn.Parameter(torch.ones(3))
    opt = torch.optim.SGD([p], lr=0.1)
    assert ZeROOptimizer(opt) is opt
    built = ZeROOptimizer(torch.optim.SGD, params=[p], lr=0.5)
    assert type(built) is torch.optim.SGD and built.defaults["lr"] == 0.5
    with pytest.raises(ConfigError, match="params"):
        ZeROOptimizer(torch.optim.SGD)
    with pytest.raises(ConfigError, match="Optimizer"):
        ZeROOptimizer("adam")


def test_linear_decay_lr_values():
    opt = torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=0.4)
    sched = LinearDecayLR(opt, total_steps=4)
    seen = [opt.param_groups[0]["lr"]]
    for _ in range(5):
        opt.step()
        sched.step()
        seen.append(opt.param_groups[0]["lr"])
    assert seen == pytest.approx([0.4 * (1 - min(s, 4) / 4) for s in range(6)])
    with pytest.raises(ConfigError, match="total_steps"):
        LinearDecayLR(opt, total_steps=0)


def test_masked_ce_matches_cross_entropy_on_kept_positions():
    torch.manual_seed(0)
    logits = torch.randn(2, 5, 7, requires_grad=True)
    labels = torch.randint(0, 7, (2, 5))
    mask = torch.tensor([[1, 1, 0, 0, 1], [0, 1, 1, 1, 0]])
    loss = MaskedCELoss()
    assert isinstance(loss, LossBase)
    keep = mask.bool()
    want = F.cross_entropy(logits[keep], labels[keep])
    got = loss(logits, labels, mask)
    assert torch.allclose(got, want)
    got.backward()
    assert torch.equal(logits.grad[~keep], torch.zeros_like(logits.grad[~keep]))
    # masking through the mask equals masking through ignore_index
    ignored = labels.masked_fill(~keep, -100)
    assert torch.allclose(loss(logits, ignored), want)
    assert torch.allclose(MaskedCELoss("sum")(logits, labels, mask),
                          F.cross_entropy(logits[keep], labels[keep], reduction="sum"))
    none = MaskedCELoss("none")(logits, labels, mask)
    assert none.shape == labels.shape and torch.equal(none[~keep], torch.zeros(int((~keep).sum())))
    empty = loss(logits, labels, torch.zeros_like(mask))
    assert empty.item() == 0.0
    with pytest.raises(ConfigError, match="mask shape"):
        loss(logits, labels, mask[:, :3])


def test_kl_loss_matches_kl_div():
    torch.manual_seed(0)
    student, teacher = torch.randn(2, 3, 11), torch.randn(2, 3, 11)
    for t in (1.0, 2.0):
        want = F.kl_div(F.log_softmax(student.reshape(-1, 11) / t, -1),
                        F.log_softmax(teacher.reshape(-1, 11) / t, -1),
                        reduction="batchmean", log_target=True) * t * t
        assert torch.allclose(KLLoss(temperature=t)(student, teacher), want, atol=1e-6)
    assert float(KLLoss()(student, student)) == pytest.approx(0.0, abs=1e-6)
    per = KLLoss(reduction="none")(student, teacher)
    assert per.shape == (2, 3) and bool((per >= 0).all())
    with pytest.raises(ConfigError, match="temperature"):
        KLLoss(temperature=0.0)
    with pytest.raises(ConfigError, match="same shape"):
        KLLoss()(student, teacher[..., :5])

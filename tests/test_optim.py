import copy

import pytest
import torch as th
from torch import nn

from sb3_ddpg_ext.optim import AdamStep, make_scaled_optimizer


def test_every_learning_rate_written_is_scaled_and_the_scale_survives_loading():
    net = nn.Linear(3, 2)
    optimizer = make_scaled_optimizer(th.optim.Adam, net.parameters(), 1e-3, 0.1, weight_decay=0.01)
    assert optimizer.param_groups[0]["lr"] == pytest.approx(1e-4)
    assert optimizer.param_groups[0]["weight_decay"] == 0.01
    optimizer.param_groups[0]["lr"] = 5e-3  # what SB3's train() does at every call
    assert optimizer.param_groups[0]["lr"] == pytest.approx(5e-4)
    other = make_scaled_optimizer(th.optim.Adam, nn.Linear(3, 2).parameters(), 1e-3, 0.1)
    other.load_state_dict(optimizer.state_dict())
    other.param_groups[0]["lr"] = 1e-2
    assert other.param_groups[0]["lr"] == pytest.approx(1e-3)
    with pytest.raises(ValueError, match="lr_scale must be positive"):
        make_scaled_optimizer(th.optim.Adam, net.parameters(), 1e-3, 0.0)


@pytest.mark.parametrize(
    ("optimizer_class", "kwargs"),
    [
        (th.optim.Adam, {"fused": True}),
        (th.optim.Adam, {"weight_decay": 0.01}),
        (th.optim.Adam, {"weight_decay": 0.1, "decoupled_weight_decay": True}),  # AdamW's decay
        (th.optim.Adam, {"amsgrad": True}),
        (th.optim.SGD, {}),
    ],
)
def test_adam_step_is_the_optimizers_own_step(optimizer_class, kwargs):
    """AdamStep's functional path (Adam with state) and its fallback (anything else) against step()."""
    th.manual_seed(0)
    ours_net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    theirs_net = copy.deepcopy(ours_net)
    ours = make_scaled_optimizer(optimizer_class, ours_net.parameters(), 1e-2, 0.5, **kwargs)
    theirs = make_scaled_optimizer(optimizer_class, theirs_net.parameters(), 1e-2, 0.5, **kwargs)
    step = AdamStep(ours, list(ours_net.parameters()))
    for _ in range(4):
        x = th.randn(16, 4)
        grads = th.autograd.grad(ours_net(x).pow(2).mean(), list(ours_net.parameters()))
        step.step(grads)
        theirs.zero_grad()
        theirs_net(x).pow(2).mean().backward()
        theirs.step()
        for a, b in zip(ours_net.parameters(), theirs_net.parameters(), strict=True):
            assert th.equal(a, b)  # the same function on the same state: bit for bit
            assert a.grad is None  # no gradients left behind
    assert step._functional_ready() == (optimizer_class is th.optim.Adam and not kwargs.get("amsgrad"))


def test_once_adam_has_state_the_step_does_not_go_through_optimizer_step(monkeypatch):
    net = nn.Linear(4, 1)
    optimizer = make_scaled_optimizer(th.optim.Adam, net.parameters(), 1e-2, 1.0, fused=True)
    step = AdamStep(optimizer, list(net.parameters()))

    def grads():
        return th.autograd.grad(net(th.randn(8, 4)).pow(2).mean(), list(net.parameters()))

    step.step(grads())  # the first step creates Adam's state, through optimizer.step()
    monkeypatch.setattr(optimizer, "step", lambda *args: pytest.fail("went through optimizer.step()"))
    before = [param.detach().clone() for param in net.parameters()]
    step.step(grads())
    assert all(not th.equal(b, a) for b, a in zip(before, net.parameters(), strict=True))
    assert all(int(optimizer.state[param]["step"]) == 2 for param in net.parameters())

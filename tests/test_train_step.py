
import pytest
import stable_baselines3 as sb3
import torch as th
from stable_baselines3.common.logger import configure
from stable_baselines3.common.type_aliases import ReplayBufferSamples
from torch import nn

from sb3_ddpg_ext import DDPG


def random_batches(n, batch_size=64, seed=0, obs_dtype=th.float32):
    generator = th.Generator().manual_seed(seed)

    def tensor(*shape):
        return th.randn(*shape, generator=generator)

    return [
        ReplayBufferSamples(
            observations=tensor(batch_size, 3).to(obs_dtype),  # MuJoCo's observations are float64
            actions=th.tanh(tensor(batch_size, 1)),
            next_observations=tensor(batch_size, 3).to(obs_dtype),
            dones=(tensor(batch_size, 1) > 1.5).float(),
            rewards=tensor(batch_size, 1),
        )
        for _ in range(n)
    ]


def feed(model, batches):
    queue = list(batches)
    model.replay_buffer.sample = lambda *args, **kwargs: queue.pop(0)
    model.set_logger(configure(None, []))


def assert_same_optimizer_state(ours, stock):
    for network in ("actor", "critic"):
        ours_state = getattr(ours, network).optimizer.state_dict()["state"]
        stock_state = getattr(stock, network).optimizer.state_dict()["state"]
        assert ours_state.keys() == stock_state.keys()
        for index, state in ours_state.items():
            for key in ("step", "exp_avg", "exp_avg_sq"):
                th.testing.assert_close(state[key], stock_state[index][key], atol=1e-5, rtol=0)


@pytest.mark.parametrize(
    ("policy_kwargs", "hand_written_backward", "obs_dtype"),
    [
        ({}, True, th.float32),
        ({}, True, th.float64),
        ({"action_layer": 1, "critic_weight_decay": 0.0}, True, th.float32),
        ({"action_layer": 3, "actor_weight_decay": 1e-3}, True, th.float32),
        ({"net_arch": [32, 24, 16]}, True, th.float32),
        ({"activation_fn": nn.Tanh}, True, th.float32),
        ({"activation_fn": nn.LeakyReLU}, False, th.float32),
        ({"batch_norm": True}, True, th.float32),
        ({"batch_norm": True, "target_batch_stats": "copy"}, True, th.float32),
        ({"batch_norm": True, "batch_norm_kwargs": {"momentum": None}}, True, th.float64),
        (
            {"batch_norm": True, "batch_norm_kwargs": {"momentum": None}, "target_batch_stats": "copy"},
            True,
            th.float64,
        ),
        # Renorm with "copy" only: with batch-statistics targets, the input layer's bias (followed by another
        # normalisation, so its gradient is zero in theory) gets rounding noise that Adam scales to ~lr steps,
        # and the 1e-7 rounding difference between our target update (lerp) and SB3's (mul, add) decides
        # their signs.
        (
            {"batch_norm": "renorm", "batch_norm_kwargs": {"warmup_steps": 4}, "target_batch_stats": "copy"},
            False,
            th.float32,
        ),
        ({"n_critics": 2}, False, th.float32),
    ],
)
def test_our_train_step_matches_stock_sb3(policy_kwargs, hand_written_backward, obs_dtype):
    kwargs = dict(batch_size=64, tau=0.005, gamma=0.99, action_noise=None)
    ours = DDPG("PaperPolicy", "Pendulum-v1", seed=0, policy_kwargs=dict(policy_kwargs), **kwargs)
    stock = sb3.DDPG("PaperPolicy", "Pendulum-v1", seed=1, policy_kwargs=dict(policy_kwargs), **kwargs)
    assert ours.actor.optimizer.defaults["fused"]
    assert not stock.actor.optimizer.defaults.get("fused")
    # The paper's layers take the hand-written backward pass; anything else goes through autograd.
    assert ours.backward_in_use == ("manual" if hand_written_backward else "autograd")
    stock.policy.load_state_dict(ours.policy.state_dict())
    batches = random_batches(5, obs_dtype=obs_dtype)
    for model in (ours, stock):
        feed(model, batches)
        model.train(gradient_steps=5, batch_size=64)
    compared = 0
    for (name, ours_tensor), (_, stock_tensor) in zip(
        ours.policy.state_dict().items(), stock.policy.state_dict().items(), strict=True
    ):
        if ours_tensor.dtype.is_floating_point:
            th.testing.assert_close(ours_tensor, stock_tensor, atol=1e-5, rtol=0, msg=name)
            compared += 1
        else:  # batch norm's num_batches_tracked
            assert th.equal(ours_tensor, stock_tensor), name
    assert compared >= 12
    assert_same_optimizer_state(ours, stock)
    # The update did move the networks (so agreement is not trivial).
    fresh = DDPG("PaperPolicy", "Pendulum-v1", seed=0, policy_kwargs=dict(policy_kwargs), **kwargs)
    assert not th.allclose(ours.actor.mu[-2].weight, fresh.actor.mu[-2].weight)  # the output layer
    assert not th.allclose(
        ours.critic_target.qf0.joint_net[0].weight, fresh.critic_target.qf0.joint_net[0].weight
    )


def test_train_step_after_loading_matches_uninterrupted(tmp_path):
    """Loading replaces the optimizer state our fast Adam step reads: it must pick up the loaded one."""
    kwargs = dict(batch_size=64, tau=0.005, action_noise=None)
    batches = random_batches(6)
    straight = DDPG("PaperPolicy", "Pendulum-v1", seed=0, **kwargs)
    feed(straight, batches)
    straight.train(gradient_steps=6, batch_size=64)

    resumed = DDPG("PaperPolicy", "Pendulum-v1", seed=0, **kwargs)
    feed(resumed, batches[:3])
    resumed.train(gradient_steps=3, batch_size=64)
    resumed.save(tmp_path / "model.zip")
    feed(resumed, random_batches(2, seed=1))  # steps that loading must undo, optimizer state included
    resumed.train(gradient_steps=2, batch_size=64)
    resumed.set_parameters(str(tmp_path / "model.zip"))
    feed(resumed, batches[3:])
    resumed.train(gradient_steps=3, batch_size=64)

    assert_same_optimizer_state(resumed, straight)
    for name, tensor in straight.policy.state_dict().items():
        th.testing.assert_close(resumed.policy.state_dict()[name], tensor, atol=1e-6, rtol=0, msg=name)


@pytest.mark.parametrize("target_batch_stats", ["nonterminal", "batch"])
def test_batch_norm_targets_take_the_same_step_by_hand_and_through_autograd(target_batch_stats):
    kwargs = dict(batch_size=64, seed=0, action_noise=None)
    policy_kwargs = dict(batch_norm=True, target_batch_stats=target_batch_stats)
    by_hand = DDPG("PaperPolicy", "Pendulum-v1", policy_kwargs=dict(policy_kwargs), **kwargs)
    autograd = DDPG(
        "PaperPolicy", "Pendulum-v1", policy_kwargs=dict(policy_kwargs), backward="autograd", **kwargs
    )
    assert by_hand.backward_in_use == "manual"
    batches = random_batches(5)
    assert 0 < sum(batch.dones.sum().item() for batch in batches) < 5 * 64
    for model in (by_hand, autograd):
        feed(model, batches)
        model.train(gradient_steps=5, batch_size=64)
    for (name, ours), (_, theirs) in zip(
        by_hand.policy.state_dict().items(), autograd.policy.state_dict().items(), strict=True
    ):
        th.testing.assert_close(ours, theirs, atol=1e-5, rtol=0, msg=name)


@pytest.mark.parametrize("target_batch_stats", ["nonterminal", "soft", "copy"])
def test_without_batch_norm_every_target_statistics_choice_is_the_same_run(target_batch_stats):
    def trained(stats):
        model = DDPG("PaperPolicy", "Pendulum-v1", seed=0, policy_kwargs=dict(target_batch_stats=stats))
        feed(model, random_batches(3))
        model.train(gradient_steps=3, batch_size=64)
        return model.policy.state_dict()

    reference = trained("batch")
    for name, tensor in trained(target_batch_stats).items():
        assert th.equal(tensor, reference[name]), name


def test_the_backward_pass_is_chosen_in_public_and_saved_with_the_model(tmp_path):
    auto = DDPG("PaperPolicy", "Pendulum-v1", seed=0)
    assert auto.backward == "auto"
    assert auto.backward_in_use == "manual"
    forced = DDPG("PaperPolicy", "Pendulum-v1", seed=0, backward="autograd")
    assert forced.backward_in_use == "autograd"
    forced.save(tmp_path / "model.zip")
    assert DDPG.load(tmp_path / "model.zip").backward_in_use == "autograd"
    # Networks the hand-written passes cannot take: "auto" falls back, "manual" refuses naming why.
    leaky = dict(activation_fn=nn.LeakyReLU)
    assert DDPG("PaperPolicy", "Pendulum-v1", policy_kwargs=leaky).backward_in_use == "autograd"
    with pytest.raises(ValueError, match=r"backward='manual'.*cannot.*backward='auto'"):
        DDPG("PaperPolicy", "Pendulum-v1", policy_kwargs=leaky, backward="manual")
    with pytest.raises(ValueError, match=r"backward='by hand' is not one of .*'auto', 'manual', 'autograd'"):
        DDPG("PaperPolicy", "Pendulum-v1", backward="by hand")

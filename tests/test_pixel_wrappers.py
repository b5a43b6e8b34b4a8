import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

from sb3_ddpg_wrappers import ActionRepeat, NormalizedActions, PaperPixels
from sb3_ddpg_wrappers.pixels import downsample


class Counter(gym.Env):
    """Observation = steps taken; reward = the step number; terminates after `length` steps.
    Renders a frame whose every pixel is the step count, so frames can be traced to steps."""

    metadata = {"render_modes": ["rgb_array"], "render_fps": 30}  # noqa: RUF012 (gymnasium convention)

    def __init__(self, length=5, render_mode="rgb_array"):
        self.length, self.render_mode = length, render_mode
        self.observation_space = spaces.Box(0, 100, (1,), np.float32)
        self.action_space = spaces.Box(-1, 1, (1,), np.float32)
        self.t = 0

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.t = 0
        return np.array([0], np.float32), {}

    def step(self, action):
        self.t += 1
        return np.array([self.t], np.float32), float(self.t), self.t >= self.length, False, {"t": self.t}

    def render(self):
        return np.full((8, 8, 3), self.t * 10, np.uint8)


def test_action_repeat_sums_rewards_and_stops_at_the_end_of_the_episode():
    env = ActionRepeat(Counter(length=5), repeat=2)
    env.reset(seed=0)
    obs, reward, terminated, _, info = env.step(np.zeros(1, np.float32))
    assert (obs[0], reward, terminated, info["t"]) == (2, 1 + 2, False, 2)
    env.step(np.zeros(1, np.float32))
    obs, reward, terminated, _, _ = env.step(np.zeros(1, np.float32))  # the episode ends after 1 of 2
    assert (obs[0], reward, terminated) == (5, 5, True)


def test_paper_pixels_stacks_one_frame_per_repeat_and_pads_with_the_last_at_the_end():
    env = PaperPixels(Counter(length=4), repeat=3, size=4, keep_state=True)
    assert env.observation_space == spaces.Box(0, 255, (4, 4, 9), np.uint8)
    obs, info = env.reset(seed=0)
    assert obs.shape == (4, 4, 9)
    assert (obs == 0).all()  # the first frame in every slot
    assert info["state"][0] == 0
    obs, reward, terminated, _, info = env.step(np.zeros(1, np.float32))
    assert [obs[0, 0, 3 * i] for i in range(3)] == [10, 20, 30]  # channels 0-2: frame 1, ...
    assert (reward, terminated, info["state"][0]) == (6, False, 3)
    obs, reward, terminated, _, _ = env.step(np.zeros(1, np.float32))  # ends after one env step
    assert [obs[0, 0, 3 * i] for i in range(3)] == [40, 40, 40]
    assert (reward, terminated) == (4, True)


def test_grayscale_gives_one_channel_per_frame():
    env = PaperPixels(Counter(), repeat=3, size=4, grayscale=True)
    assert env.observation_space.shape == (4, 4, 3)
    env.reset(seed=0)
    obs = env.step(np.zeros(1, np.float32))[0]
    np.testing.assert_array_equal(obs[0, 0], [10, 20, 30])  # gray of (v, v, v) is v


def test_downsample_averages_blocks_even_when_sizes_do_not_divide():
    frame = np.zeros((5, 6, 3), np.uint8)
    frame[:2, :3] = 200  # exactly the top-left block of a 2x2 output (rows 0-1, cols 0-2)
    small = downsample(frame, 2)
    assert small.shape == (2, 2, 3)
    np.testing.assert_array_equal(small[..., 0], [[200, 0], [0, 0]])
    checker = np.indices((64, 64)).sum(axis=0) % 2 * 255
    assert downsample(np.repeat(checker[..., None], 3, axis=2).astype(np.uint8), 32).max() == 128
    with pytest.raises(ValueError, match="smaller than size=9"):
        downsample(frame, 9)


def test_pendulum_from_pixels_passes_gymnasium_and_sb3_checks():
    env = PaperPixels(NormalizedActions(gym.make("Pendulum-v1", render_mode="rgb_array")))
    assert env.observation_space.shape == (64, 64, 9)
    gym_check_env(env, skip_render_check=True)
    sb3_check_env(env)
    obs, _ = env.reset(seed=0)
    assert obs.min() < 128 < obs.max()  # the pendulum is drawn on a light background
    repeated = ActionRepeat(gym.make("Pendulum-v1"), repeat=3)
    gym_check_env(repeated)
    sb3_check_env(repeated)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: PaperPixels(gym.make("Pendulum-v1")), "render_mode='rgb_array'"),
        (lambda: PaperPixels(Counter(), repeat=0), "repeat to be an integer >= 1"),
        (lambda: PaperPixels(Counter(), size=2.5), "size to be an integer >= 1"),
        (lambda: ActionRepeat(Counter(), repeat=True), "repeat to be an integer >= 1"),
    ],
)
def test_bad_settings_are_refused(make, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        make()

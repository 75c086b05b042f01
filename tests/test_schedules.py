"""Tests of lib.schedules and of train(schedule=...): formulas against values by hand."""

import math

import numpy as np
import pytest

from lib.network import MultiLayerNet
from lib.optimizers import SGD, Adam
from lib.schedules import SCHEDULES, Cosine, MultiStep, StepDecay, Warmup
from lib.training import train

RNG = np.random.default_rng(0)
X = RNG.random((40, 5)).astype(np.float32)
T = (X[:, 0] > 0.5).astype(np.int64)
DATA = ((X[:30], T[:30]), (X[30:], T[30:]))


def test_step_decay_by_hand():
    s = StepDecay(step_size=3, gamma=0.5)
    assert [s(t) for t in range(8)] == [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25]
    assert isinstance(s(4), float)
    np.testing.assert_array_equal(s.values(8), [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25])
    assert repr(s) == "StepDecay(step_size=3, gamma=0.5)"


def test_multistep_by_hand():
    s = MultiStep([2, 5], gamma=0.1)
    np.testing.assert_allclose(s.values(7), [1, 1, 0.1, 0.1, 0.1, 0.01, 0.01], rtol=1e-12)
    assert "milestones=[2, 5]" in repr(s)


def test_cosine_by_hand():
    s = Cosine(total=4, final=0.2)
    # m(t) = 0.2 + 0.8 * (1 + cos(pi t / 4)) / 2
    expected = [1.0, 0.2 + 0.4 * (1 + math.sqrt(0.5)), 0.6, 0.2 + 0.4 * (1 - math.sqrt(0.5)),
                0.2, 0.2, 0.2]
    np.testing.assert_allclose(s.values(7), expected, rtol=1e-12)
    assert Cosine(10)(9) > 0 and Cosine(10)(10) == 0.0


def test_warmup_by_hand_alone_and_followed():
    np.testing.assert_allclose(Warmup(4).values(6), [0.25, 0.5, 0.75, 1.0, 1.0, 1.0])
    s = Warmup(2, then=StepDecay(2, 0.1))
    np.testing.assert_allclose(s.values(7), [0.5, 1.0, 1.0, 1.0, 0.1, 0.1, 0.01], rtol=1e-12)
    assert repr(s) == "Warmup(steps=2, then=StepDecay(step_size=2, gamma=0.1))"


@pytest.mark.parametrize("make, name", [
    (lambda: StepDecay(0), "step_size"),
    (lambda: StepDecay(2.5), "step_size"),
    (lambda: StepDecay(2, gamma=0.0), "gamma"),
    (lambda: StepDecay(2, gamma=1.5), "gamma"),
    (lambda: MultiStep([]), "milestones"),
    (lambda: MultiStep([5, 3]), "milestones"),
    (lambda: MultiStep([0, 3]), "milestones"),
    (lambda: Cosine(0), "total"),
    (lambda: Cosine(10, final=-0.1), "final"),
    (lambda: Warmup(0), "steps"),
    (lambda: Warmup(3, then=2.0), "then"),
    (lambda: Cosine(5)(-1), "t"),
    (lambda: Cosine(5)(1.5), "t"),
    (lambda: Cosine(5).values(-1), "n"),
])
def test_bad_arguments_name_themselves(make, name):
    with pytest.raises(ValueError, match=f"^{name} must be"):
        make()


def test_registry():
    assert set(SCHEDULES) == {"step", "multistep", "cosine", "warmup"}
    assert SCHEDULES["cosine"](total=3)(0) == 1.0


class Recorder:
    """A schedule that records the iterations it is asked about."""

    def __init__(self):
        self.seen = []

    def __call__(self, t):
        self.seen.append(t)
        return 1.0 / (t + 1)


def test_train_sets_lr_before_every_update_and_restores_it():
    opt = SGD(lr=0.4)
    rates = []
    update = opt.update

    def spy(params, grads):
        rates.append(opt.lr)
        update(params, grads)

    opt.update = spy
    schedule = Recorder()
    history = train(MultiLayerNet([5, 8, 2]), opt, DATA, epochs=2, batch_size=10,
                    schedule=schedule, evaluate=False)
    assert len(history.loss) == 6
    assert schedule.seen == list(range(6))
    np.testing.assert_allclose(rates, [0.4 / (t + 1) for t in range(6)], rtol=1e-12)
    assert all(type(r) is float for r in rates)
    assert opt.lr == 0.4  # put back when training ends


def test_train_with_a_schedule_matches_training_by_hand():
    schedule = StepDecay(2, 0.5)
    net_a, net_b = MultiLayerNet([5, 8, 2], seed=1), MultiLayerNet([5, 8, 2], seed=1)
    train(net_a, Adam(lr=0.01), DATA, epochs=2, batch_size=10, seed=3, schedule=schedule,
          evaluate=False)
    opt = Adam(lr=0.01)
    rng = np.random.default_rng(3)
    t = 0
    for _ in range(2):
        for idx in np.array_split(rng.permutation(30), 3):
            _, grads = net_b.loss_and_gradient(X[:30][idx], T[:30][idx])
            opt.lr = 0.01 * schedule(t)
            opt.update(net_b.params, grads)
            t += 1
    for key in net_a.params:
        np.testing.assert_array_equal(net_a.params[key], net_b.params[key])


def test_train_refuses_a_schedule_that_is_not_callable_and_a_zero_rate():
    with pytest.raises(ValueError, match="^schedule must be"):
        train(MultiLayerNet([5, 8, 2]), SGD(lr=0.1), DATA, schedule=0.5)
    opt = SGD(lr=0.1)
    with pytest.raises(ValueError, match="^lr must be"):  # Cosine(2) reaches 0 at t = 2
        train(MultiLayerNet([5, 8, 2]), opt, DATA, epochs=1, batch_size=10, schedule=Cosine(2))
    assert opt.lr == 0.1

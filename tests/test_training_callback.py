"""lib.training.train's callback: what it sees, and when."""

import numpy as np
import pytest

from lib.network import MultiLayerNet
from lib.optimizers import SGD
from lib.training import train

RNG = np.random.default_rng(5)
X = RNG.random((30, 4)).astype(np.float32)
T = (X[:, 0] > 0.5).astype(np.int64)
DATA = ((X[:24], T[:24]), (X[24:], T[24:]))


class Spy:
    """Records every call, with copies of what it was shown."""

    def __init__(self):
        self.steps, self.epochs = [], []

    def on_step(self, iteration, net, grads, loss):
        self.steps.append((iteration, {k: g.copy() for k, g in grads.items()}, loss,
                           {k: p.copy() for k, p in net.params.items()}))

    def on_epoch(self, epoch, net):
        self.epochs.append(epoch)


def test_the_callback_sees_every_step_before_the_update_and_every_epoch():
    net = MultiLayerNet([4, 6, 2], seed=1)
    spy = Spy()
    history = train(net, SGD(lr=0.1), DATA, epochs=3, batch_size=10, evaluate=False,
                    callback=spy)
    assert [s[0] for s in spy.steps] == list(range(len(history.loss))) == list(range(9))
    assert spy.epochs == [0, 1, 2]
    assert [s[2] for s in spy.steps] == list(history.loss)
    # the parameters it sees are those before the step: the next step's are one update later
    for (_, grads, _, before), (_, _, _, after) in zip(spy.steps, spy.steps[1:], strict=False):
        for key in grads:
            np.testing.assert_allclose(after[key], before[key] - 0.1 * grads[key], rtol=1e-5,
                                       atol=1e-7)


def test_the_callback_sees_the_gradients_before_clipping():
    net = MultiLayerNet([4, 6, 2], seed=1, init=3.0)
    spy = Spy()
    train(net, SGD(lr=0.01), DATA, epochs=1, batch_size=24, evaluate=False, clip_norm=1e-3,
          callback=spy)
    (_, grads, _, _), = spy.steps
    total = np.sqrt(sum(float(np.sum(g.astype(np.float64) ** 2)) for g in grads.values()))
    assert total > 1e-2                      # far above the threshold: not yet clipped


def test_a_diverging_step_is_not_shown_and_its_epoch_not_closed():
    net = MultiLayerNet([4, 6, 2], seed=1)
    spy = Spy()
    history = train(net, SGD(lr=1e20), DATA, epochs=5, batch_size=6, evaluate=False,
                    callback=spy)
    assert history.diverged_at == 1
    assert len(spy.steps) == 1 and spy.epochs == []


def test_a_callback_without_both_methods_is_refused():
    net = MultiLayerNet([4, 6, 2])
    for bad in (print, object(), type("OnlyStep", (), {"on_step": lambda *a: None})()):
        with pytest.raises(ValueError, match=r"^callback must have methods on_step"):
            train(net, SGD(lr=0.1), DATA, epochs=1, callback=bad)

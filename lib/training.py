"""Mini-batch training: shuffle, step, record, evaluate.

One *iteration* takes a mini-batch, computes the loss and the gradient in one forward and one
backward pass, and lets the optimizer update the parameters in place. One *epoch* is a pass
over a fresh random permutation of the training set (every sample exactly once; the last
batch may be smaller). After every epoch the network is evaluated in inference mode on the
training set and on the evaluation set (the test set, or a validation split: say which with
``eval_name``).

Divergence: as soon as a loss is not finite (inf or nan), training stops before that step is
applied, ``History.diverged_at`` holds the iteration, and no NumPy warning is shown.
"""

import math
import numbers
import time
from dataclasses import dataclass
from typing import Optional

import numpy as np

from lib import checks
from lib.optimizers import clip_grad_norm, clip_grad_value


def minibatches(n, batch_size, rng):
    """Yield index arrays covering ``range(n)`` once, in a fresh random order.

    Draws one permutation per call (sampling without replacement); every batch has
    ``batch_size`` indices except possibly the last, which is kept even if smaller.
    rng: an ``np.random.Generator``.
    """
    order = rng.permutation(n)
    for start in range(0, n, batch_size):
        yield order[start : start + batch_size]


@dataclass
class History:
    """What happened during :func:`train`.

    loss: (iterations run,) the training loss of every iteration, from the same forward pass
        that gave the gradient (so with dropout active and batch statistics); if training
        diverged, the last entry is the non-finite loss that stopped it.
    train_acc, eval_acc: (epochs,) accuracies in inference mode after every epoch (an epoch
        cut short by ``max_iterations`` is evaluated too; one cut short by divergence is not).
    eval_name: what the evaluation set is ("test" or "validation").
    epoch_seconds: (epochs,) wall time of every epoch's iterations (evaluation excluded).
    iterations_per_epoch: ceil(N / batch_size).
    diverged_at: index into ``loss`` of the first non-finite loss, or None.
    """

    loss: np.ndarray
    train_acc: np.ndarray
    eval_acc: np.ndarray
    eval_name: str
    epoch_seconds: np.ndarray
    iterations_per_epoch: int
    diverged_at: Optional[int] = None

    @property
    def diverged(self):
        return self.diverged_at is not None

    def __repr__(self):
        last = (
            f", train_acc={self.train_acc[-1]:.4f}, {self.eval_name}_acc={self.eval_acc[-1]:.4f}"
            if len(self.eval_acc)
            else ""
        )
        return (
            f"History(epochs={len(self.eval_acc)}, iterations={len(self.loss)}{last}, "
            f"diverged_at={self.diverged_at})"
        )


def _check_positive(name, value, allow_zero=False, integer=False):
    kind = numbers.Integral if integer else numbers.Real
    ok = isinstance(value, kind) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0 or (value == 0 and not allow_zero):
        what = "an integer" if integer else "a number"
        raise ValueError(f"{name} must be {what} {'>=' if allow_zero else '>'} 0, got {value!r}")


def _prepare(net, data):
    """Check both sets against the network once; x converted to its dtype."""
    shape_error = "data must be ((x_train, t_train), (x_eval, t_eval))"
    if not (isinstance(data, (tuple, list)) and len(data) == 2):
        raise ValueError(f"{shape_error}, got {type(data).__name__}")
    prepared = []
    for part, name in zip(data, ("training set", "evaluation set")):
        if not (isinstance(part, (tuple, list)) and len(part) == 2):
            raise ValueError(f"{shape_error}; the {name} is not an (x, t) pair")
        try:
            prepared.append(net.check_inputs(*part))
        except ValueError as err:
            raise ValueError(f"data ({name}): {err}") from None
    return prepared


def train(
    net,
    optimizer,
    data,
    epochs=10,
    batch_size=100,
    seed=0,
    progress=False,
    clip_norm=None,
    clip_value=None,
    max_iterations=None,
    eval_name="test",
    evaluate=True,
):
    """Train ``net`` with ``optimizer`` on mini-batches and return a :class:`History`.

    net: a network with ``params``, ``loss_and_gradient`` and ``accuracy``
        (e.g. :class:`lib.network.MultiLayerNet`); trained in place.
    optimizer: anything with ``update(params, grads)`` (see :mod:`lib.optimizers`).
    data: ((x_train, t_train), (x_eval, t_eval)), x (N, D), t (N,) indices or (N, C) one-hot;
        x is converted once to the network's dtype.
    epochs: passes over the training set (>= 0); batch_size: samples per iteration (> 0).
    seed: seeds the shuffling (the network's own seed fixes its weights and dropout masks).
    progress: show a tqdm progress bar (in notebooks and terminals alike).
    clip_norm, clip_value: clip the gradients by global L2 norm and/or element-wise before
        each update (see ``clip_grad_norm`` and ``clip_grad_value`` in :mod:`lib.optimizers`).
    max_iterations: stop after this many iterations in total (None: no limit).
    eval_name: name of the evaluation set in the history and the progress bar.
    evaluate: measure train and evaluation accuracy after every epoch (inference mode).
        With False, ``train_acc`` and ``eval_acc`` stay empty and only the losses are
        recorded, which is all a learning curve needs.
    """
    (x_train, t_train), (x_eval, t_eval) = _prepare(net, data)
    _check_positive("epochs", epochs, allow_zero=True, integer=True)
    _check_positive("batch_size", batch_size, integer=True)
    if max_iterations is not None:
        _check_positive("max_iterations", max_iterations, allow_zero=True, integer=True)
    if clip_norm is not None:
        _check_positive("clip_norm", clip_norm)
    if clip_value is not None:
        _check_positive("clip_value", clip_value)

    rng = np.random.default_rng(seed)
    n = x_train.shape[0]
    per_epoch = math.ceil(n / batch_size)
    total = epochs * per_epoch
    if max_iterations is not None:
        total = min(total, max_iterations)
    losses, train_acc, eval_acc, seconds = [], [], [], []
    diverged_at = None
    bar = _progress_bar(total) if progress else None
    try:
        with np.errstate(all="ignore"):  # a diverging run overflows; we detect it ourselves
            for _ in range(epochs):
                if len(losses) == total:
                    break
                start = time.perf_counter()
                for idx in minibatches(n, batch_size, rng):
                    loss, grads = net.loss_and_gradient(x_train[idx], t_train[idx])
                    losses.append(loss)
                    if not math.isfinite(loss):
                        diverged_at = len(losses) - 1
                        break
                    if clip_norm is not None:
                        clip_grad_norm(grads, clip_norm)
                    if clip_value is not None:
                        clip_grad_value(grads, clip_value)
                    optimizer.update(net.params, grads)
                    if bar is not None:
                        bar.update()
                    if len(losses) == total:
                        break
                if diverged_at is not None:
                    break
                seconds.append(time.perf_counter() - start)
                if not evaluate:
                    continue
                train_acc.append(net.accuracy(x_train, t_train))
                eval_acc.append(net.accuracy(x_eval, t_eval))
                if bar is not None:
                    bar.set_postfix_str(f"loss {loss:.4f}, {eval_name} acc {eval_acc[-1]:.4f}")
    finally:
        if bar is not None:
            bar.close()
    return History(
        loss=np.array(losses, dtype=np.float64),
        train_acc=np.array(train_acc, dtype=np.float64),
        eval_acc=np.array(eval_acc, dtype=np.float64),
        eval_name=eval_name,
        epoch_seconds=np.array(seconds, dtype=np.float64),
        iterations_per_epoch=per_epoch,
        diverged_at=diverged_at,
    )


def _progress_bar(total):
    from tqdm.auto import tqdm  # imported on demand: only progress bars need it

    return tqdm(total=total, desc="training", unit="it")


def smooth(values, window=25):
    """Moving average of a noisy curve (e.g. mini-batch losses), for display and comparison.

    values: array of shape (n,).  Returns an array of shape (n,): entry ``i`` is the mean of
    the last ``min(i + 1, window)`` values, so the curve starts at the first value instead of
    being shifted or padded.  Non-finite values (after a divergence) propagate as NaN.
    """
    window = checks.integer("window", window, 1)
    values = np.asarray(values, dtype=float)
    csum = np.cumsum(np.concatenate([[0.0], values]))
    i = np.arange(1, len(values) + 1)
    lo = np.maximum(i - window, 0)
    return (csum[i] - csum[lo]) / (i - lo)

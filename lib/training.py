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
import time
from dataclasses import dataclass

import numpy as np

from lib import checks
from lib.optimizers import clip_grad_norm, clip_grad_value


def minibatches(n, batch_size, rng):
    """Yield index arrays covering ``range(n)`` once, in a fresh random order.

    Draws one permutation per call (sampling without replacement); every batch has
    ``batch_size`` indices except possibly the last, which is kept even if smaller.

    Parameters
    ----------
    n : int
        The number of samples.
    batch_size : int
        Indices per batch.
    rng : numpy.random.Generator
        Draws the permutation.

    Yields
    ------
    ndarray of int, of shape (batch_size,)
        The indices of one mini-batch (the last may be shorter).
    """
    order = rng.permutation(n)
    for start in range(0, n, batch_size):
        yield order[start : start + batch_size]


@dataclass
class History:
    """What happened during :func:`train`.

    Attributes
    ----------
    loss : ndarray of shape (iterations run,)
        The training loss of every iteration, from the same forward pass that gave the
        gradient (so with dropout active and batch statistics); if training diverged, the
        last entry is the non-finite loss that stopped it.
    train_acc, eval_acc : ndarray of shape (epochs,)
        Accuracies in inference mode after every epoch (an epoch cut short by
        ``max_iterations`` is evaluated too; one cut short by divergence is not).
    eval_name : str
        What the evaluation set is ("test" or "validation").
    epoch_seconds : ndarray of shape (epochs,)
        Wall time of every epoch's iterations (evaluation excluded).
    iterations_per_epoch : int
        ``ceil(N / batch_size)``.
    diverged_at : int or None
        Index into ``loss`` of the first non-finite loss, or None.
    """

    loss: np.ndarray
    train_acc: np.ndarray
    eval_acc: np.ndarray
    eval_name: str
    epoch_seconds: np.ndarray
    iterations_per_epoch: int
    diverged_at: int | None = None

    @property
    def diverged(self):
        """Whether training stopped on a non-finite loss."""
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


def _prepare(net, data):
    """Check both sets against the network once; x converted to its dtype."""
    shape_error = "data must be ((x_train, t_train), (x_eval, t_eval))"
    if not (isinstance(data, (tuple, list)) and len(data) == 2):
        raise ValueError(f"{shape_error}, got {type(data).__name__}")
    prepared = []
    for part, name in zip(data, ("training set", "evaluation set"), strict=False):
        if not (isinstance(part, (tuple, list)) and len(part) == 2):
            raise ValueError(
                f"{shape_error}; the {name} is not an (x, t) pair, got {type(part).__name__}"
            )
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
    schedule=None,
    callback=None,
):
    """Train ``net`` with ``optimizer`` on mini-batches and return a :class:`History`.

    Parameters
    ----------
    net : MultiLayerNet
        A network with ``params``, ``loss_and_gradient`` and ``accuracy`` (e.g.
        :class:`lib.network.MultiLayerNet`); trained in place.
    optimizer : Optimizer
        Anything with ``update(params, grads)`` (see :mod:`lib.optimizers`).
    data : ((x_train, t_train), (x_eval, t_eval))
        ``x`` of shape (N, D); ``t`` of shape (N,), class indices, or (N, C), one-hot rows.
        ``x`` is converted once to the network's dtype.
    epochs : int, default 10
        Passes over the training set, >= 0.
    batch_size : int, default 100
        Samples per iteration, > 0.
    seed : int, default 0
        Seeds the shuffling (the network's own seed fixes its weights and dropout masks).
    progress : bool, default False
        Show a tqdm progress bar (in notebooks and terminals alike).
    clip_norm, clip_value : float, optional
        Clip the gradients by global L2 norm and/or element-wise before each update (see
        ``clip_grad_norm`` and ``clip_grad_value`` in :mod:`lib.optimizers`); each > 0.
    max_iterations : int, optional
        Stop after this many iterations in total (None: no limit).
    eval_name : str, default "test"
        Name of the evaluation set in the history and the progress bar.
    evaluate : bool, default True
        Measure train and evaluation accuracy after every epoch (inference mode).  With
        False, ``train_acc`` and ``eval_acc`` stay empty and only the losses are recorded,
        which is all a learning curve needs.
    schedule : callable, optional
        A learning-rate schedule (see :mod:`lib.schedules`), a callable t -> multiplier:
        before update t (counted from 0) ``optimizer.lr`` is set to the ``lr`` it had when
        training started times ``schedule(t)``; that ``lr`` is put back when training ends.
    callback : object, optional
        Something that watches training (e.g. :class:`lib.diagnostics.Recorder`), with two
        methods: ``callback.on_step(iteration, net, grads, loss)``, called at every iteration
        with a finite loss, after the backward pass and *before* clipping and the update (so
        ``grads`` are the raw gradients; read them, do not modify them), and
        ``callback.on_epoch(epoch, net)``, called after every epoch's iterations (counted
        from 0; an epoch cut short by divergence is not), before the evaluation.

    Returns
    -------
    History

    Raises
    ------
    ValueError
        Naming the argument (and for ``data``, the set), for any argument out of its range.
    """
    (x_train, t_train), (x_eval, t_eval) = _prepare(net, data)
    epochs = checks.integer("epochs", epochs, 0)
    batch_size = checks.integer("batch_size", batch_size, 1)
    if max_iterations is not None:
        max_iterations = checks.integer("max_iterations", max_iterations, 0)
    if clip_norm is not None:
        clip_norm = checks.positive("clip_norm", clip_norm)
    if clip_value is not None:
        clip_value = checks.positive("clip_value", clip_value)
    if schedule is not None and not callable(schedule):
        raise ValueError(f"schedule must be a callable t -> multiplier, got {schedule!r}")
    if callback is not None and not all(
        callable(getattr(callback, method, None)) for method in ("on_step", "on_epoch")
    ):
        raise ValueError(
            "callback must have methods on_step(iteration, net, grads, loss) and "
            f"on_epoch(epoch, net), got {callback!r}"
        )
    base_lr = optimizer.lr if schedule is not None else None

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
                    if callback is not None:
                        callback.on_step(len(losses) - 1, net, grads, loss)
                    if clip_norm is not None:
                        clip_grad_norm(grads, clip_norm)
                    if clip_value is not None:
                        clip_grad_value(grads, clip_value)
                    if schedule is not None:
                        optimizer.lr = base_lr * schedule(len(losses) - 1)
                    optimizer.update(net.params, grads)
                    if bar is not None:
                        bar.update()
                    if len(losses) == total:
                        break
                if diverged_at is not None:
                    break
                seconds.append(time.perf_counter() - start)
                if callback is not None:
                    callback.on_epoch(len(seconds) - 1, net)
                if not evaluate:
                    continue
                train_acc.append(net.accuracy(x_train, t_train))
                eval_acc.append(net.accuracy(x_eval, t_eval))
                if bar is not None:
                    bar.set_postfix_str(f"loss {loss:.4f}, {eval_name} acc {eval_acc[-1]:.4f}")
    finally:
        if bar is not None:
            bar.close()
        if schedule is not None:
            optimizer.lr = base_lr
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

    Parameters
    ----------
    values : array_like of shape (n,)
    window : int, default 25
        The number of values averaged, >= 1.

    Returns
    -------
    ndarray of shape (n,)
        Entry ``i`` is the mean of the last ``min(i + 1, window)`` values, so the curve
        starts at the first value instead of being shifted or padded.  Non-finite values
        (after a divergence) propagate as NaN.
    """
    window = checks.integer("window", window, 1)
    values = np.asarray(values, dtype=float)
    csum = np.cumsum(np.concatenate([[0.0], values]))
    i = np.arange(1, len(values) + 1)
    lo = np.maximum(i - window, 0)
    return (csum[i] - csum[lo]) / (i - lo)

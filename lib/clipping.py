r"""Exploding gradients and gradient clipping: the geometry, and a network that needs it.

**The geometry.**  Clipping changes a gradient :math:`g` before the update, in one of two ways
(:func:`clip`, which calls :func:`lib.optimizers.clip_grad_norm` and
:func:`lib.optimizers.clip_grad_value` on a copy):

- *by norm*: :math:`g \leftarrow g \cdot \min(1, c/\lVert g\rVert)`, a shorter vector in the
  same direction;
- *by value*: every component is clipped to :math:`[-c, c]`, which changes the direction
  whenever some components are clipped and others are not (:func:`angle` measures by how
  much).

**The network.**  :func:`exploding_net` is a deep ReLU network whose weights are He's times a
gain above 1: every layer multiplies the backward signal by about the gain, so the gradient
at initialisation is about ``gain ** depth`` times too large.  :func:`clipping_run` trains it
on the digits with or without clipping and records the gradient norms before clipping.
"""

import numpy as np

from lib import checks
from lib.datasets import load_digits
from lib.diagnostics import recorded_run
from lib.initializers import Scaled
from lib.network import MultiLayerNet
from lib.optimizers import SGD, clip_grad_norm, clip_grad_value

__all__ = ["KINDS", "angle", "clip", "clipping_run", "exploding_net"]

#: The two kinds of clipping.
KINDS = ("norm", "value")


def clip(g, threshold, kind="norm"):
    r"""A clipped copy of the gradient ``g``.

    Parameters
    ----------
    g : array_like of any shape
        A gradient, e.g. of shape (2,) for a picture in the plane; not modified.
    threshold : float
        :math:`c > 0`: the largest norm (``kind="norm"``) or the largest magnitude of a
        component (``kind="value"``).
    kind : {"norm", "value"}

    Returns
    -------
    ndarray of the shape of ``g``, float64
    """
    g = checks.array("g", g).copy()
    threshold = checks.positive("threshold", threshold)
    if checks.one_of("kind", kind, KINDS) == "norm":
        clip_grad_norm({"g": g}, threshold)
    else:
        clip_grad_value({"g": g}, threshold)
    return g


def angle(a, b):
    r"""The angle between two vectors, in degrees: :math:`\arccos\big(a\cdot b /
    (\lVert a\rVert\lVert b\rVert)\big)`.

    Parameters
    ----------
    a, b : array_like of the same shape
        Flattened; neither may be all zeros.

    Returns
    -------
    float
        In [0, 180].
    """
    a = checks.array("a", a).ravel()
    b = checks.array("b", b).ravel()
    if a.shape != b.shape:
        raise ValueError(f"b must have the shape of a, {a.shape}, got {b.shape}")
    norms = np.linalg.norm(a) * np.linalg.norm(b)
    if norms == 0:
        raise ValueError("a and b must not be zero vectors, got a zero vector")
    return float(np.degrees(np.arccos(np.clip(a @ b / norms, -1.0, 1.0))))


def exploding_net(seed=0, depth=10, width=100, gain=1.5):
    r"""A deep ReLU network for the digits whose weights are He's times ``gain``.

    Parameters
    ----------
    seed : int, default 0
    depth : int, default 10
        Hidden layers.
    width : int, default 100
        Units per hidden layer.
    gain : float, default 1.5
        > 0; 1 is He's initialisation.  Each layer scales the signal by about ``gain``.

    Returns
    -------
    lib.network.MultiLayerNet
        ``sizes = [64] + [width] * depth + [10]``, float32.
    """
    depth = checks.integer("depth", depth, 1)
    width = checks.integer("width", width, 1)
    return MultiLayerNet([64] + [width] * depth + [10], activation="relu",
                         init=Scaled("he", gain), seed=seed)


def clipping_run(threshold=None, kind="norm", lr=0.05, seed=0, epochs=10, max_iterations=None,
                 data=None, x=None, **net):
    r"""Train :func:`exploding_net` with SGD, with or without clipping; record the norms.

    Parameters
    ----------
    threshold : float, optional
        The clipping threshold :math:`c > 0`; None trains without clipping.
    kind : {"norm", "value"}, default "norm"
    lr : float, default 0.05
    seed : int, default 0
        Seeds the weights and the order of the mini-batches.
    epochs : int, default 10
    max_iterations : int, optional
        Stop after this many iterations.
    data : ((x_train, t_train), (x_test, t_test)), optional
        Default :func:`lib.datasets.load_digits`.
    x : array_like of shape (N, 64), optional
        A data set on which the recorder counts dead units after every epoch.
    **net
        ``depth``, ``width``, ``gain`` for :func:`exploding_net`.

    Returns
    -------
    history : lib.training.History
        Its ``diverged_at`` says whether, and when, the loss stopped being finite.
    recorder : lib.diagnostics.Recorder
        ``recorder.global_norms``: the gradient norm of every iteration, before clipping;
        ``recorder.dead``: the dead units of every hidden layer, if ``x`` is given.
    """
    kind = checks.one_of("kind", kind, KINDS)
    clipping = {} if threshold is None else {f"clip_{kind}": checks.positive("threshold",
                                                                           threshold)}
    return recorded_run(exploding_net(seed=seed, **net), SGD(lr=lr),
                        load_digits() if data is None else data, x=x, epochs=epochs, seed=seed,
                        evaluate=False, max_iterations=max_iterations, **clipping)

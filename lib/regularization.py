r"""Weight decay and L1 as steps of their own: decoupled decay, the proximal (soft-threshold) step.

:class:`lib.network.MultiLayerNet` puts the two penalties into the loss, over its weight
matrices only (``W1``, ``W2``, ...; never biases, nor batch normalisation's ``gamma`` and
``beta``):

.. math::

    \tilde L = L + \frac{\lambda}{2}\sum_l \lVert W_l\rVert^2 + \lambda_1 \sum_l \lVert W_l\rVert_1,
    \qquad
    \nabla_{W}\tilde L = \nabla_W L + \lambda W + \lambda_1 \operatorname{sign}(W),

so that any update rule sees them through the gradient.  This module applies them instead as a
separate step on the weights, around the update rule's own step.  Each wrapper takes an update
rule from :mod:`lib.optimizers` and is itself an update rule (``update(params, grads)``, an
``lr`` that a schedule can set), so :func:`lib.training.train` takes it unchanged::

    opt = ProximalL1(SGD(lr=0.01), l1=1e-3)         # ISTA: SGD step, then soft-threshold
    opt = DecoupledDecay(Adam(lr=1e-3), weight_decay=0.1)   # AdamW, on the weights only

* :func:`soft_threshold` -- the proximal step of :math:`\tau\lvert w\rvert`: every entry moves
  :math:`\tau` towards 0 and stops *at* 0.
* :class:`ProximalL1` -- the rule's step on the data loss, then the soft threshold with
  :math:`\tau = \eta\lambda_1`: weights that the data do not hold away from 0 become exactly 0.
* :class:`DecoupledDecay` -- :math:`W \leftarrow (1 - \eta\lambda) W`, then the rule's step:
  with ``Adam`` this is :class:`lib.optimizers.AdamW` restricted to the weights.
* :func:`weight_keys`, :func:`flat_weights`, :func:`sparsity` -- which parameters count as
  weights, all of them in one array, and the share that is (near) zero.

Which parameters are decayed.  Biases, ``gamma`` and ``beta`` are left alone by
``MultiLayerNet``'s penalties and, by default, by both wrappers (``keys=None`` means
:func:`weight_keys`); :class:`lib.optimizers.AdamW` decays every array it is handed, as
``torch.optim.AdamW`` does with a single parameter group.
"""

import re

import numpy as np

from lib import checks
from lib.optimizers import Adam, _check_arrays

__all__ = [
    "DecoupledDecay",
    "ProximalL1",
    "adam_decay_paths",
    "flat_weights",
    "l1_paths",
    "soft_threshold",
    "sparsity",
    "weight_keys",
]

_WEIGHT = re.compile(r"W\d+")


def weight_keys(params):
    """The names of the weight matrices among ``params``: ``W1``, ``W2``, ... in order.

    Parameters
    ----------
    params : dict[str, ndarray]
        A network's parameters (``net.params``), or any dict keyed like them.

    Returns
    -------
    list of str
        The keys ``W<number>``, sorted by number; biases (``b``), ``gamma`` and ``beta`` are
        not weights.
    """
    return sorted((k for k in params if _WEIGHT.fullmatch(k)), key=lambda k: int(k[1:]))


def flat_weights(params):
    """Every entry of every weight matrix, in one new 1-D array.

    Parameters
    ----------
    params : dict[str, ndarray]
        A network's parameters (``net.params``).

    Returns
    -------
    ndarray of shape (n_weights,)
        ``W1``'s entries, then ``W2``'s, ..., in the parameters' dtype.
    """
    keys = weight_keys(params)
    if not keys:
        raise ValueError(f"params must hold weight matrices W1, W2, ..., got keys {list(params)}")
    return np.concatenate([params[k].ravel() for k in keys])


def soft_threshold(w, threshold):
    r"""The soft threshold, proximal step of :math:`\tau\lvert w\rvert`: towards 0 by :math:`\tau`.

    .. math::

        S_\tau(w) = \operatorname{sign}(w)\,\max(\lvert w\rvert - \tau,\ 0)
        = \operatorname*{arg\,min}_u\ \tfrac12 (u - w)^2 + \tau\lvert u\rvert .

    Entries with :math:`\lvert w\rvert \le \tau` become exactly 0; the others move :math:`\tau`
    towards 0.  (A subgradient step :math:`w - \tau\operatorname{sign}(w)` would carry them
    past 0 instead.)

    Parameters
    ----------
    w : array_like of any shape
        Not modified.
    threshold : float
        :math:`\tau \ge 0`.

    Returns
    -------
    ndarray of the shape of ``w``
        A new array, in ``w``'s floating dtype (float64 for integer input).
    """
    threshold = checks.non_negative("threshold", threshold)
    w = np.asarray(w)
    if w.dtype.kind != "f":
        w = w.astype(np.float64)
    shrunk = np.abs(w) - w.dtype.type(threshold)
    return np.where(shrunk > 0, np.sign(w) * shrunk, w.dtype.type(0))


def sparsity(weights, tol=0.0):
    """The share of entries whose size is at most ``tol`` (exact zeros with ``tol=0``).

    Parameters
    ----------
    weights : array_like of any shape, or dict[str, ndarray]
        The weights themselves, or a network's parameters (then only the weight matrices of
        :func:`weight_keys` count).
    tol : float, default 0.0
        Entries with ``abs(w) <= tol`` count as zero.

    Returns
    -------
    float
        In [0, 1].
    """
    tol = checks.non_negative("tol", tol)
    w = flat_weights(weights) if isinstance(weights, dict) else np.asarray(weights)
    if w.size == 0:
        raise ValueError("weights must hold at least one entry, got an empty array")
    return float(np.count_nonzero(np.abs(w) <= tol) / w.size)


class _Wrapped:
    """An update rule around another one: forwards ``lr`` and ``reset`` to it."""

    def __init__(self, optimizer, keys):
        if not callable(getattr(optimizer, "update", None)) or not hasattr(optimizer, "lr"):
            raise ValueError(
                f"optimizer must be an update rule with update(params, grads) and lr, "
                f"got {optimizer!r}"
            )
        self.optimizer = optimizer
        self.keys = None if keys is None else [str(k) for k in keys]

    @property
    def lr(self):
        r"""The wrapped rule's learning rate :math:`\eta` (setting it sets the rule's)."""
        return self.optimizer.lr

    @lr.setter
    def lr(self, value):
        self.optimizer.lr = value

    def reset(self):
        """Forget the wrapped rule's state."""
        self.optimizer.reset()

    def _targets(self, params, grads):
        _check_arrays(params, grads)  # before anything is modified
        keys = weight_keys(params) if self.keys is None else self.keys
        missing = [k for k in keys if k not in params]
        if missing:
            raise ValueError(
                f"keys must name entries of params, got {missing} not in {list(params)}")
        return keys

    def _keys_repr(self):
        return "" if self.keys is None else f", keys={self.keys!r}"


class ProximalL1(_Wrapped):
    r"""An update rule followed by the proximal step of the L1 penalty: exact zeros.

    .. math::

        W \leftarrow \text{the rule's step on } \nabla_W L, \qquad
        W \leftarrow S_{\eta\lambda_1}(W)
        = \operatorname{sign}(W)\max(\lvert W\rvert - \eta\lambda_1,\ 0)

    With ``SGD`` this is proximal gradient descent on :math:`L + \lambda_1\lVert W\rVert_1`
    (ISTA), whose fixed points are the minimisers of that loss (when it is convex).  A weight
    whose data gradient is weaker than :math:`\lambda_1` lands on 0 and stays there, where the
    subgradient step :math:`W \leftarrow W - \eta(\nabla_W L + \lambda_1\operatorname{sign} W)`
    jumps back and forth across 0 by about :math:`\eta\lambda_1`.  The network must be built
    *without* its own ``l1`` (else the penalty is applied twice).

    Parameters
    ----------
    optimizer : Optimizer
        Any update rule of :mod:`lib.optimizers` (its ``lr`` is :math:`\eta`).
    l1 : float
        :math:`\lambda_1 \ge 0`.
    keys : sequence of str, optional
        The parameters to threshold; default the weight matrices (:func:`weight_keys`).
    """

    def __init__(self, optimizer, l1, keys=None):
        super().__init__(optimizer, keys)
        self.l1 = checks.non_negative("l1", l1)

    def update(self, params, grads):
        """The rule's step on ``grads``, then the soft threshold, in place.

        Parameters
        ----------
        params, grads : dict[str, ndarray]
            As for :meth:`lib.optimizers.Optimizer.update`; ``grads`` without the L1 term.
        """
        keys = self._targets(params, grads)
        self.optimizer.update(params, grads)
        threshold = float(self.optimizer.lr) * self.l1
        for k in keys:
            params[k][...] = soft_threshold(params[k], threshold)

    def __repr__(self):
        return f"ProximalL1({self.optimizer!r}, l1={self.l1!r}{self._keys_repr()})"


class DecoupledDecay(_Wrapped):
    r"""Weight decay applied to the weights directly, then the update rule's step.

    .. math::

        W \leftarrow (1 - \eta\lambda)\, W, \qquad
        W \leftarrow \text{the rule's step on } \nabla_W L

    The gradient was computed before the decay, as in :class:`lib.optimizers.AdamW`: wrapped
    around ``Adam`` this *is* AdamW's update for the weights, while the other parameters get
    Adam's (AdamW itself decays all of them).  Around ``SGD`` it equals an L2 penalty
    :math:`\frac{\lambda}{2}\lVert W\rVert^2` in the loss; around adaptive rules it does not,
    because the rule divides a penalty's gradient :math:`\lambda W` by its running gradient
    size but leaves this decay alone.  The network must be built without its own
    ``weight_decay``.

    Parameters
    ----------
    optimizer : Optimizer
        Any update rule of :mod:`lib.optimizers` (its ``lr`` is :math:`\eta`).
    weight_decay : float
        :math:`\lambda \ge 0`.
    keys : sequence of str, optional
        The parameters to decay; default the weight matrices (:func:`weight_keys`).
    """

    def __init__(self, optimizer, weight_decay, keys=None):
        super().__init__(optimizer, keys)
        self.weight_decay = checks.non_negative("weight_decay", weight_decay)

    def update(self, params, grads):
        """Decay the weights, then the rule's step on ``grads``, in place.

        Parameters
        ----------
        params, grads : dict[str, ndarray]
            As for :meth:`lib.optimizers.Optimizer.update`; ``grads`` without a penalty term.
        """
        keys = self._targets(params, grads)
        factor = 1.0 - float(self.optimizer.lr) * self.weight_decay
        for k in keys:
            params[k] *= factor
        self.optimizer.update(params, grads)

    def __repr__(self):
        return (f"DecoupledDecay({self.optimizer!r}, weight_decay={self.weight_decay!r}"
                f"{self._keys_repr()})")


# ---- single weights, for seeing the steps themselves ------------------------------------------


def _noise(rng, noise, shape):
    """Gaussian gradient noise of standard deviation ``noise`` (zeros for 0)."""
    return noise * rng.standard_normal(shape) if noise else np.zeros(shape)


def l1_paths(w0, lr, l1, steps, proximal=False, noise=0.0, seed=0):
    r"""Weights under the L1 penalty alone (plus gradient noise): subgradient or proximal steps.

    Every weight gets the data gradient :math:`g_t \sim \mathcal N(0, \sigma^2)` (``noise``
    :math:`=\sigma`; 0 gives a data gradient of exactly 0, a weight the data do not need), and

    .. math::

        \text{subgradient:}\quad w \leftarrow w - \eta\,(g_t + \lambda_1\operatorname{sign} w),
        \qquad
        \text{proximal:}\quad w \leftarrow S_{\eta\lambda_1}(w - \eta\, g_t).

    Parameters
    ----------
    w0 : array_like of shape (n,)
        Starting values; not modified.
    lr : float
        :math:`\eta > 0`.
    l1 : float
        :math:`\lambda_1 \ge 0`.
    steps : int
        Number of updates, >= 0.
    proximal : bool, default False
        Soft-threshold (:func:`soft_threshold`) instead of the subgradient step.
    noise : float, default 0.0
        :math:`\sigma \ge 0`.
    seed : int, default 0
        Seeds the noise (the same draws for both kinds of step).

    Returns
    -------
    ndarray of shape (steps + 1, n)
        Row ``k`` holds the weights after ``k`` updates (row 0 is ``w0``), float64.
    """
    w = checks.array("w0", w0, ndim=1).copy()
    lr = checks.positive("lr", lr)
    l1 = checks.non_negative("l1", l1)
    steps = checks.integer("steps", steps, 0)
    noise = checks.non_negative("noise", noise)
    rng = np.random.default_rng(seed)
    paths = np.empty((steps + 1, w.size))
    paths[0] = w
    for k in range(1, steps + 1):
        g = _noise(rng, noise, w.shape)
        if proximal:
            w = soft_threshold(w - lr * g, lr * l1)
        else:
            w = w - lr * (g + l1 * np.sign(w))
        paths[k] = w
    return paths


def adam_decay_paths(w0, noise, weight_decay, lr=1e-3, steps=300, decoupled=False, seed=0):
    r"""Weights trained by Adam on pure gradient noise, with an L2 penalty or decoupled decay.

    Weight :math:`i` gets the data gradient :math:`g_{t,i} \sim \mathcal N(0, \sigma_i^2)`
    (``noise[i]`` :math:`=\sigma_i`; 0 for a weight whose data gradient is exactly 0, like the
    weights of a pixel that is blank in every training image), and then either

    * the penalty's gradient is added, :math:`g_t + \lambda w`, and Adam steps on the sum
      (:class:`lib.optimizers.Adam`), or
    * ``decoupled``: :math:`w \leftarrow (1 - \eta\lambda) w` and Adam steps on :math:`g_t`
      alone (:class:`DecoupledDecay` around ``Adam``, i.e. AdamW).

    Parameters
    ----------
    w0 : array_like of shape (n,)
        Starting values; not modified.
    noise : array_like of shape (n,) or float
        :math:`\sigma_i \ge 0`, per weight or one for all.
    weight_decay : float
        :math:`\lambda \ge 0`.
    lr : float, default 1e-3
        Adam's :math:`\eta`.
    steps : int, default 300
        Number of updates, >= 0.
    decoupled : bool, default False
    seed : int, default 0
        Seeds the noise (the same draws with and without ``decoupled``).

    Returns
    -------
    ndarray of shape (steps + 1, n)
        Row ``k`` holds the weights after ``k`` updates (row 0 is ``w0``), float64.
    """
    w = checks.array("w0", w0, ndim=1).copy()
    sigma = np.broadcast_to(checks.array("noise", noise, low=0.0), w.shape)
    weight_decay = checks.non_negative("weight_decay", weight_decay)
    steps = checks.integer("steps", steps, 0)
    adam = Adam(lr=lr)
    opt = DecoupledDecay(adam, weight_decay, keys=["w"]) if decoupled else adam
    rng = np.random.default_rng(seed)
    params = {"w": w}
    paths = np.empty((steps + 1, w.size))
    paths[0] = w
    for k in range(1, steps + 1):
        g = sigma * rng.standard_normal(w.shape)
        if not decoupled:
            g = g + weight_decay * params["w"]
        opt.update(params, {"w": g})
        paths[k] = params["w"]
    return paths

r"""Measurements that tell whether every layer of a network is learning.

A loss curve says *whether* a network learns; these say *where*.  Four measurements, per layer
of weights :math:`W_1, \dots, W_L` or per hidden layer:

- the **gradient norms** :math:`\lVert \partial L/\partial W_l \rVert` (:func:`grad_norms`),
  and the **global norm** over every parameter that gradient clipping looks at
  (:func:`global_norm`);
- the **relative change** of each layer's weights over a stretch of training,
  :math:`\lVert W_l^\text{after} - W_l^\text{before} \rVert / \lVert W_l^\text{before} \rVert`
  (:func:`relative_change`): a layer whose weights do not move does not learn, whatever its
  gradient;
- the **dead units**: the share of a hidden layer's units whose input is :math:`\le 0` for
  every example of a data set (:func:`dead_fraction`).  A ReLU unit in that state outputs 0
  and passes no gradient for any input, so no update can bring it back.

:class:`Recorder` takes all four while :func:`lib.training.train` runs, as its ``callback``::

    recorder = Recorder(net, x=x_train)
    train(net, SGD(lr=0.1), data, epochs=20, callback=recorder)
    recorder.grad_norms       # (iterations, L): every step's per-layer gradient norms
    recorder.weight_change    # (epochs, L): each epoch's relative change of every W_l
    recorder.dead             # (epochs + 1, hidden layers): dead units, before and after

Nothing here draws; the chapter on activations plots these numbers.
"""

from typing import NamedTuple

import numpy as np

from lib import checks
from lib.activations import ACTIVATIONS
from lib.datasets import load_digits
from lib.initializers import Scaled
from lib.layers import ActivationLayer, check_activation
from lib.network import MultiLayerNet
from lib.residual import ResidualNet
from lib.training import train

__all__ = [
    "Flow",
    "Recorder",
    "dead_fraction",
    "derivative_means",
    "global_norm",
    "grad_norms",
    "initial_flow",
    "preactivations",
    "recorded_run",
    "relative_change",
    "weight_keys",
]


def weight_keys(params):
    """The keys of the weight matrices, ``["W1", "W2", ...]``, in the order of the layers.

    Parameters
    ----------
    params : dict[str, ndarray]
        E.g. ``net.params`` or a gradient dict with the same keys.

    Returns
    -------
    list of str
        Every key ``"W<number>"``, sorted by the number (``"W10"`` after ``"W9"``).
    """
    keys = [k for k in params if k.startswith("W") and k[1:].isdigit()]
    if not keys:
        raise ValueError(
            f"params must hold weight matrices 'W1', 'W2', ..., got keys {list(params)}"
        )
    return sorted(keys, key=lambda k: int(k[1:]))


def grad_norms(grads, keys=None):
    r"""The Frobenius norm :math:`\lVert \partial L/\partial W_l \rVert` of every layer's weights.

    Parameters
    ----------
    grads : dict[str, ndarray]
        Gradients keyed like ``net.params`` (``"W1"`` of shape (n_0, n_1), ...).
    keys : list of str, optional
        The keys to measure, in order; default :func:`weight_keys` of ``grads``.

    Returns
    -------
    ndarray of shape (len(keys),)
        float64; inf where a gradient overflowed.
    """
    keys = weight_keys(grads) if keys is None else keys
    with np.errstate(over="ignore", invalid="ignore"):
        return np.array([np.linalg.norm(grads[k]) for k in keys], dtype=np.float64)


def global_norm(grads):
    r"""The norm of all gradients together, :math:`\sqrt{\sum_k \lVert g_k \rVert^2}`.

    This is the norm that :func:`lib.optimizers.clip_grad_norm` compares with its threshold
    (every array of ``grads``: weights, biases, batch-norm parameters).

    Parameters
    ----------
    grads : dict[str, ndarray]
        Gradients of any shapes; not modified.

    Returns
    -------
    float
    """
    with np.errstate(over="ignore", invalid="ignore"):
        squares = [float(np.linalg.norm(g)) ** 2 for g in grads.values()]
    return float(np.sqrt(sum(squares)))


def relative_change(before, after, keys=None):
    r"""How far each weight matrix moved: :math:`\lVert W^\text{after} - W^\text{before}\rVert
    / \lVert W^\text{before}\rVert`.

    Parameters
    ----------
    before, after : dict[str, ndarray]
        Two snapshots of ``net.params`` (or of the weights only), with the same keys and
        shapes; not modified.
    keys : list of str, optional
        Default :func:`weight_keys` of ``before``.

    Returns
    -------
    ndarray of shape (len(keys),)
        float64; inf for a matrix that was all zeros before and moved.
    """
    keys = weight_keys(before) if keys is None else keys
    change = []
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for k in keys:
            b = np.asarray(before[k], dtype=np.float64)
            a = np.asarray(after[k], dtype=np.float64)
            if a.shape != b.shape:
                raise ValueError(f"after[{k!r}] must have the shape of before[{k!r}], "
                                 f"{b.shape}, got {a.shape}")
            moved, size = np.linalg.norm(a - b), np.linalg.norm(b)
            change.append(moved / size if size > 0 else (0.0 if moved == 0 else np.inf))
    return np.array(change, dtype=np.float64)


def _walk(layers, x, found):
    """Run ``layers`` in inference mode on ``x``, appending every activation layer's input."""
    for layer in layers:
        if isinstance(layer, ActivationLayer):
            found.append(x)
        inner = getattr(layer, "layers", None)
        if inner is not None:  # a composite (a residual block): visit its inner layers too
            _walk(inner, x, found)
        x = layer.forward(x, train=False)
    return x


def preactivations(net, x):
    r"""Every hidden layer's pre-activations :math:`a_l` (the inputs of its activation).

    The forward pass runs in inference mode.  Composite layers that list their inner layers
    in ``.layers`` and apply them in order to their input (the blocks of
    :class:`lib.residual.ResidualNet`) are looked into.

    Parameters
    ----------
    net : MultiLayerNet
        Or any network with a list of layers ``net.layers`` and ``check_inputs``.
    x : array_like of shape (N, n_inputs)

    Returns
    -------
    list of ndarray
        One array of shape (N, n_l) per hidden layer, in order.
    """
    found = []
    _walk(net.layers, net.check_inputs(x), found)
    return found


def dead_fraction(net, x):
    r"""The share of every hidden layer's units whose input is :math:`\le 0` for all of ``x``.

    For ReLU such a unit is **dead**: it outputs 0 for every example, so its incoming weights
    receive no gradient and no update can revive it.  For leaky ReLU and ELU the same state
    still passes a (small) gradient; measured the same way, it tells whether they avoid it.

    Parameters
    ----------
    net : MultiLayerNet
    x : array_like of shape (N, n_inputs)
        The data set, e.g. the whole training set.

    Returns
    -------
    ndarray of shape (hidden layers,)
        float64 shares in [0, 1].
    """
    return np.array([float(np.mean(np.all(a <= 0, axis=0))) for a in preactivations(net, x)])


def derivative_means(net, x):
    r"""The mean derivative :math:`\overline{f'(a_l)}` of every hidden layer over ``x``.

    On the way down, backpropagation multiplies the gradient by :math:`f'(a_l)` element by
    element at every hidden layer; this is the average of that factor over the units and
    the examples.

    Parameters
    ----------
    net : MultiLayerNet
        With ``net.activation`` a name of :data:`lib.activations.ACTIVATIONS`.
    x : array_like of shape (N, n_inputs)

    Returns
    -------
    ndarray of shape (hidden layers,)
    """
    grad = ACTIVATIONS[check_activation(net.activation)].grad
    return np.array([float(np.mean(grad(a))) for a in preactivations(net, x)])


class Flow(NamedTuple):
    r"""How the gradient flows through one network at initialisation (:func:`initial_flow`).

    Attributes
    ----------
    grad_norms : ndarray of shape (depth + 1,)
        :math:`\lVert \partial L/\partial W_l \rVert` of every weight matrix, first to last.
    derivative_means : ndarray of shape (depth,)
        The mean :math:`f'(a_l)` of every hidden layer.
    preactivations : list of ndarray
        Every hidden layer's :math:`a_l`, each of shape (N, width).
    dead : ndarray of shape (depth,)
        The share of every hidden layer's units whose input is :math:`\le 0` for every
        example of the batch.
    """

    grad_norms: np.ndarray
    derivative_means: np.ndarray
    preactivations: list
    dead: np.ndarray


def initial_flow(activation="sigmoid", depth=10, gain=1.0, residual=False, width=50,
                 n_samples=200, seed=0, data=None):
    r"""Gradients and derivatives of a fresh digits network, layer by layer.

    The network has ``depth`` hidden layers of ``width`` units (a
    :class:`lib.residual.ResidualNet` if ``residual``), weights drawn with standard deviation
    :math:`\text{gain}/\sqrt{n_\text{in}}` (gain 1 is LeCun's, :math:`\sqrt 2` He's), and
    one backward pass on the first ``n_samples`` training images.

    Parameters
    ----------
    activation : str, default "sigmoid"
    depth : int, default 10
        >= 1.
    gain : float, default 1.0
        > 0.
    residual : bool, default False
    width : int, default 50
    n_samples : int, default 200
    seed : int, default 0
    data : ((x_train, t_train), (x_test, t_test)), optional
        Default :func:`lib.datasets.load_digits`.

    Returns
    -------
    Flow
    """
    depth = checks.integer("depth", depth, 1)
    width = checks.integer("width", width, 1)
    n_samples = checks.integer("n_samples", n_samples, 1)
    cls = ResidualNet if residual else MultiLayerNet
    net = cls([64] + [width] * depth + [10], activation=activation,
              init=Scaled("lecun", gain), seed=seed)
    (x, t), _ = load_digits() if data is None else data
    x, t = x[:n_samples], t[:n_samples]
    a = preactivations(net, x)
    grad = ACTIVATIONS[activation].grad
    with np.errstate(over="ignore", invalid="ignore"):
        norms = grad_norms(net.gradient(x, t))
    return Flow(
        grad_norms=norms,
        derivative_means=np.array([float(np.mean(grad(ai))) for ai in a]),
        preactivations=a,
        dead=np.array([float(np.mean(np.all(ai <= 0, axis=0))) for ai in a]),
    )


class Recorder:
    """Per-layer statistics taken while :func:`lib.training.train` runs (its ``callback``).

    Every iteration (before clipping and the update, so the raw gradients): the gradient norm
    of every weight matrix and the global norm of all gradients.  Every epoch: the relative
    change of every weight matrix during that epoch and, if ``x`` is given, the dead units of
    every hidden layer over ``x``.

    Parameters
    ----------
    net : MultiLayerNet
        The network about to be trained; its weights are copied now, as the start of the
        first epoch.
    x : array_like of shape (N, n_inputs), optional
        The data set on which to count dead units (before training and after every epoch).

    Attributes
    ----------
    keys : list of str
        ``["W1", ..., "WL"]``.
    grad_norms : ndarray of shape (iterations, L)
    global_norms : ndarray of shape (iterations,)
    losses : ndarray of shape (iterations,)
    weight_change : ndarray of shape (epochs, L)
    dead : ndarray of shape (epochs + 1, hidden layers), or None
        Row 0 is before training.
    """

    def __init__(self, net, x=None):
        self.keys = weight_keys(net.params)
        self._x = None if x is None else net.check_inputs(x)
        self._start = self._snapshot(net)
        self._grad_norms, self._global, self._losses, self._change = [], [], [], []
        self._dead = None if self._x is None else [dead_fraction(net, self._x)]

    def _snapshot(self, net):
        return {k: net.params[k].copy() for k in self.keys}

    def on_step(self, iteration, net, grads, loss):
        """Record one iteration's gradient norms (called by ``train``)."""
        self._grad_norms.append(grad_norms(grads, self.keys))
        self._global.append(global_norm(grads))
        self._losses.append(float(loss))

    def on_epoch(self, epoch, net):
        """Record the epoch's weight change and dead units (called by ``train``)."""
        now = self._snapshot(net)
        self._change.append(relative_change(self._start, now, self.keys))
        self._start = now
        if self._dead is not None:
            self._dead.append(dead_fraction(net, self._x))

    @property
    def grad_norms(self):
        r"""Per iteration and layer, :math:`\lVert \partial L/\partial W_l \rVert`."""
        return np.array(self._grad_norms).reshape(-1, len(self.keys))

    @property
    def global_norms(self):
        """Per iteration, the global gradient norm before clipping."""
        return np.array(self._global)

    @property
    def losses(self):
        """Per iteration, the training loss."""
        return np.array(self._losses)

    @property
    def weight_change(self):
        """Per epoch and layer, the relative change of the weights during that epoch."""
        return np.array(self._change).reshape(-1, len(self.keys))

    @property
    def dead(self):
        """Per hidden layer, the dead units' share before training and after every epoch."""
        return None if self._dead is None else np.array(self._dead)

    def __repr__(self):
        return (f"Recorder(layers={len(self.keys)}, iterations={len(self._global)}, "
                f"epochs={len(self._change)}, dead_units={self._dead is not None})")


def recorded_run(net, optimizer, data, x=None, **train_kwargs):
    """Train ``net`` with a :class:`Recorder` watching; return both results.

    Parameters
    ----------
    net : MultiLayerNet
    optimizer : Optimizer
    data : ((x_train, t_train), (x_eval, t_eval))
    x : array_like of shape (N, n_inputs), optional
        The data set on which the recorder counts dead units (e.g. ``data[0][0]``).
    **train_kwargs
        Passed to :func:`lib.training.train` (``epochs``, ``seed``, ``clip_norm``, ...).

    Returns
    -------
    history : lib.training.History
    recorder : Recorder
    """
    recorder = Recorder(net, x=x)
    history = train(net, optimizer, data, callback=recorder, **train_kwargs)
    return history, recorder

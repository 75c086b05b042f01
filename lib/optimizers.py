r"""Update rules: how a network turns gradients into better parameters.

Every rule here has the same small interface, so that a training loop, a 2-D test surface
and a benchmark can all swap one rule for another::

    opt = Adam(lr=1e-3)
    opt.update(params, grads)   # params: dict name -> array, updated IN PLACE
                                # grads:  dict with the same names and shapes, never modified

The rules, in the order the book meets them:

==========  ==========================================  =====================================
name        idea                                        state per parameter
==========  ==========================================  =====================================
SGD         step against the gradient                   none
Momentum    a velocity that accumulates past steps      ``v``
Nesterov    momentum, gradient taken after the jump     ``b`` (momentum buffer)
AdaGrad     per-element step shrunk by all past g^2     ``h``
RMSProp     the same, with a decaying average of g^2    ``h``
AdaDelta    RMSProp whose step size has units of W      ``v`` (avg. g^2), ``u`` (avg. step^2)
Adam        momentum + RMSProp, both bias-corrected     ``m``, ``v``
AdamW       Adam with decoupled weight decay            ``m``, ``v``
RAdam       Adam with its early variance rectified      ``m``, ``v``
==========  ==========================================  =====================================

Each class's docstring carries its algorithm as a LaTeX ``aligned`` block whose symbols name the
keyword arguments (``\eta = lr`` and so on); ``Adam.latex()`` returns that block so that the
book renders exactly the formula the code is tested against.

Conventions (the ones the major frameworks use; the book's appendix lists where texts differ):

* AdaGrad and RMSProp add :math:`\epsilon` *outside* the square root; Adam adds it to
  :math:`\sqrt{\hat v_t}`; RAdam adds it to :math:`\sqrt{v_t}`; AdaDelta puts it inside both roots.
* ``Nesterov`` is PyTorch's look-ahead form; ``AdamW`` scales its decay by the learning rate.
* State is created on the first ``update``, one dict per parameter name, with the parameter's
  dtype (``opt.state["W1"]["m"]``); ``opt.t`` counts the updates; ``reset()`` forgets both.
* Non-finite values propagate silently, as in the frameworks: ``update`` never emits NumPy
  warnings, and noticing divergence is the caller's job (``train`` and ``trajectory`` do it).

Speed.  A rule is a handful of element-wise operations.  Written naively
(``p -= lr * m / (np.sqrt(v) + eps)``) every operation allocates a temporary as large as the
parameter and streams it through main memory.  Here every operation writes into preallocated
memory with ``out=``, and large parameters are processed in slices of ``chunk_size`` elements,
so that the dozen passes Adam needs run over data that sits in the CPU cache; the only extra
memory is one or two chunk-sized scratch buffers per optimizer.  Scalars are Python floats: a NumPy
``float64`` scalar times a ``float32`` array would give a ``float64`` array (NEP 50).
"""

import math
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = [
    "OPTIMIZERS",
    "SGD",
    "AdaDelta",
    "AdaGrad",
    "Adam",
    "AdamW",
    "Momentum",
    "Nesterov",
    "Optimizer",
    "RAdam",
    "RMSProp",
    "clip_grad_norm",
    "clip_grad_value",
    "make_optimizer",
]


# --------------------------------------------------------------------------------------------
# Checking hyperparameters: every message names the argument and says what is allowed.


def _number(name, value):
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if math.isnan(value):
        raise ValueError(f"{name} must be a number, got nan")
    return value


def _positive(name, value):
    value = _number(name, value)
    if not 0.0 < value < math.inf:
        raise ValueError(f"{name} must be > 0 and finite, got {value!r}")
    return value


def _non_negative(name, value):
    value = _number(name, value)
    if not 0.0 <= value < math.inf:
        raise ValueError(f"{name} must be >= 0 and finite, got {value!r}")
    return value


def _below_one(name, value):
    value = _number(name, value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return value


def _zero_to_one(name, value):
    value = _number(name, value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {value!r}")
    return value


# One name, one meaning, one check, for every rule.
_CHECKS = {
    "lr": _positive,
    "momentum": _below_one,
    "rho": _zero_to_one,
    "beta1": _below_one,
    "beta2": _below_one,
    "eps": _positive,
    "weight_decay": _non_negative,
}


def _check_arrays(params, grads):
    """Validate ``params``/``grads`` before touching anything; return the grads as arrays."""
    if not isinstance(params, dict):
        raise ValueError(f"params must be a dict name -> array, got {type(params).__name__}")
    if not isinstance(grads, dict):
        raise ValueError(f"grads must be a dict name -> array, got {type(grads).__name__}")
    if params.keys() != grads.keys():
        missing = sorted(set(params) - set(grads))
        extra = sorted(set(grads) - set(params))
        raise ValueError(
            f"grads must have the same keys as params; missing: {missing}, unexpected: {extra}"
        )
    arrays = {}
    for key, p in params.items():
        if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
            got = f"ndarray of {p.dtype}" if isinstance(p, np.ndarray) else type(p).__name__
            raise ValueError(
                f"params[{key!r}] must be a floating-point ndarray (it is updated in place), "
                f"got {got}"
            )
        if not p.flags.writeable:
            raise ValueError(f"params[{key!r}] must be writeable (it is updated in place)")
        g = np.asarray(grads[key])
        if g.shape != p.shape:
            raise ValueError(
                f"grads[{key!r}] must have the shape of params[{key!r}], {p.shape}, got {g.shape}"
            )
        if g.dtype.kind not in "fiub":
            raise ValueError(f"grads[{key!r}] must hold real numbers, got dtype {g.dtype}")
        arrays[key] = g
    return arrays


def _pieces(arrays, size):
    """Cut same-shaped arrays into matching views of at most about ``size`` elements.

    A parameter larger than ``size`` is walked slice by slice: a flat slice when every array is
    C-contiguous (the usual case; ``reshape(-1)`` is then a view), otherwise blocks of rows.
    Every piece is a view, so writing into it writes into the parameter or its state.
    """
    first = arrays[0]
    if first.size <= size:
        yield arrays
    elif all(a.flags.c_contiguous for a in arrays):
        flat = [a.reshape(-1) for a in arrays]
        for start in range(0, first.size, size):
            yield tuple(a[start : start + size] for a in flat)
    else:
        rows = max(1, size // (first.size // first.shape[0]))
        for start in range(0, first.shape[0], rows):
            yield tuple(a[start : start + rows] for a in arrays)


#: A thread of ``Optimizer._step_pieces`` gets at least this many pieces, or is not used.
MIN_PIECES_PER_THREAD = 4

_WORKERS = []


def _workers():
    """The threads shared by every optimizer, started on first use."""
    if not _WORKERS:
        _WORKERS.append(ThreadPoolExecutor(max_workers=4, thread_name_prefix="lib-optimizers"))
    return _WORKERS[0]


# --------------------------------------------------------------------------------------------
# The shared machinery.


class Optimizer:
    """Base class of the update rules: state handling, checks and the chunked loop.

    A subclass lists its hyperparameters and state arrays, passes the hyperparameters to
    ``Optimizer.__init__`` (which checks them, by name) and implements ``_step(p, g, state,
    work, c)``, which applies the rule to matching pieces of a parameter
    ``p``, its gradient ``g``, its state arrays and scratch arrays ``work``, all of one shape,
    with ``c`` the Python-float coefficients of this step from ``_scalars()`` (by default the
    hyperparameters in order), computed once per update.

    Attributes
    ----------
    state : dict[str, dict[str, ndarray]]
        Per parameter name, the rule's running arrays (same shape and dtype as the parameter),
        created on the first update.  Assign into it to start from a known state.
    t : int
        Number of updates made since construction or the last ``reset()``; one count for all
        parameters (as in the book's code), so use one optimizer per model and ``reset()`` it
        before reusing it on another.
    chunk_size : int
        Parameters larger than this many elements are processed in slices of this size.
    flush_every : int
        Every this many updates, subnormal state entries are set to 0 (they are slow).
    threads : int
        Threads that share the pieces of large parameters (see ``_step_pieces``).

    Hyperparameters are plain attributes (``opt.lr``); assigning one (say, by a learning-rate
    schedule between updates) checks it again.
    """

    _hyper_names = ("lr",)
    _state_names = ()
    _n_work = 1
    chunk_size = 1 << 16  # 64 Ki elements: 256 KiB of float32 per array, five arrays fit in L2
    flush_every = 16  # updates between two flushes of subnormal state (see _flush_subnormals)
    threads = min(4, os.cpu_count() or 1)  # cores for the pieces of large parameters

    def __init__(self, **hyperparameters):
        for name, value in hyperparameters.items():
            setattr(self, name, value)
        self.state = {}
        self.t = 0
        self._work = {}

    def __setattr__(self, name, value):
        # Hyperparameters are checked, and stored as Python floats, whenever they are set, so a
        # schedule can change ``opt.lr`` between updates without smuggling in a NumPy scalar.
        if name in _CHECKS:
            value = _CHECKS[name](name, value)
        super().__setattr__(name, value)

    # ---- the public interface -------------------------------------------------------------

    def update(self, params, grads):
        """Apply one step of the rule to every parameter, in place.

        Parameters
        ----------
        params : dict[str, ndarray]
            Floating-point arrays of any shape; each one is modified in place.
        grads : dict[str, ndarray]
            The gradient of the loss for each parameter: the same keys, the same shapes.
            Not modified.
        """
        grad_arrays = _check_arrays(params, grads)
        self.t += 1
        c = self._scalars()
        # Overflow to inf and inf - inf = nan are the caller's to detect, silently, as in the
        # frameworks; suppressing the warnings costs one context switch per update.
        pieces = []  # cache-sized pieces of the large parameters
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            for key, p in params.items():
                state = self.state.get(key)
                if state is None:
                    state = self.state[key] = {
                        name: np.zeros(p.shape, dtype=p.dtype) for name in self._state_names
                    }
                g = grad_arrays[key]
                state = tuple(state[name] for name in self._state_names)
                if p.size <= self.chunk_size:
                    # A small parameter is one piece: its scratch arrays are made once per
                    # shape and reused, so the step costs only the rule's own operations.
                    self._step(p, g, state, self._scratch(p), c)
                else:
                    # Piece by piece, a large parameter's dozen passes run over data in the
                    # cache, and the scratch memory is one chunk, not one parameter, in size.
                    pieces.extend(_pieces((p, g, *state), self.chunk_size))
        if pieces:
            self._step_pieces(pieces, c)
        if self.t % self.flush_every == 0:
            self._flush_subnormals()

    def _step_pieces(self, pieces, c):
        """Apply the rule to the pieces of the large parameters, on up to ``threads`` cores.

        NumPy lets go of Python's global lock inside every element-wise operation on a large
        piece, so threads working through different pieces run on different cores at once,
        as PyTorch does for large tensors.  Starting a thread's work costs tens of
        microseconds, so a thread is used only for at least ``MIN_PIECES_PER_THREAD`` pieces:
        the layers of the book's networks are updated without threads.
        """
        n = max(1, min(self.threads, len(pieces) // MIN_PIECES_PER_THREAD))
        groups = [pieces[i * len(pieces) // n : (i + 1) * len(pieces) // n] for i in range(n)]
        if n == 1:
            self._step_group(groups[0], c, 0)
            return
        jobs = [_workers().submit(self._step_group, group, c, k) for k, group in enumerate(groups)]
        for job in jobs:
            job.result()

    def _step_group(self, pieces, c, slot):
        """Step through ``pieces`` with scratch buffer number ``slot`` (one per thread)."""
        # NumPy's error state belongs to the thread that sets it.
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            for piece in pieces:
                self._step(piece[0], piece[1], piece[2:], self._scratch(piece[0], slot), c)

    def _flush_subnormals(self):
        """Set the state's subnormal entries (0 < |x| < the smallest normal number) to 0.

        A running average whose gradient stays exactly 0, as for a dead ReLU unit, decays
        geometrically through the subnormal range (below 1.2e-38 in float32) before it
        underflows to 0, and CPUs compute with subnormal numbers on a slow path, 10 to 100
        times slower: measured on Adam training a 5x100 network, the update's time grew
        sixfold from the second epoch on.  Zeroing them every ``flush_every`` updates moves a
        value by less than 1.2e-38, far below any eps, and costs two cheap passes over the
        state, once in ``flush_every`` updates.
        """
        for state in self.state.values():
            for a in state.values():
                tiny = float(np.finfo(a.dtype).tiny)
                for (piece,) in _pieces((a,), self.chunk_size):
                    tmp = self._scratch(piece)[0]
                    np.abs(piece, out=tmp)
                    np.copyto(piece, 0.0, where=tmp < tiny)

    def reset(self):
        """Forget all state and the step count, as if freshly constructed."""
        self.state = {}
        self.t = 0
        self._work = {}

    @property
    def hyperparameters(self):
        """The keyword arguments that rebuild this optimizer, as a dict."""
        return {name: getattr(self, name) for name in self._hyper_names}

    @classmethod
    def latex(cls):
        r"""The rule's algorithm as a LaTeX ``\begin{aligned} ... \end{aligned}`` block.

        It is the block between ``$$`` marks in the class docstring, so the book renders the
        very formula the tests check the code against, e.g.
        ``IPython.display.Math(Adam.latex())``.
        """
        doc = cls.__doc__ or ""
        start = doc.find("$$")
        end = doc.find("$$", start + 2)
        if start < 0 or end < 0:
            raise ValueError(f"{cls.__name__} has no $$ ... $$ formula in its docstring")
        return doc[start + 2 : end].strip()

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters.items())
        return f"{type(self).__name__}({args})"

    # ---- what subclasses provide ------------------------------------------------------------

    def _scalars(self):
        return tuple(getattr(self, name) for name in self._hyper_names)

    def _step(self, p, g, state, work, c):
        raise NotImplementedError

    # ---- scratch memory ---------------------------------------------------------------------

    def _scratch(self, like, slot=0):
        """``_n_work`` scratch arrays shaped like ``like``, made once and then reused.

        Kept per shape, dtype and ``slot`` (each thread of :meth:`_step_pieces` has its own
        slot).  A parameter is either one piece or cut into pieces of at most ``chunk_size``
        elements, so this is at most two sets per parameter, each no larger than a piece.
        """
        key = (like.shape, like.dtype, slot)
        work = self._work.get(key)
        if work is None:
            work = self._work[key] = tuple(
                np.empty(like.shape, dtype=like.dtype) for _ in range(self._n_work)
            )
        return work


# --------------------------------------------------------------------------------------------
# The rules.  In each _step, ``p`` is a piece of a parameter, ``g`` the matching piece of its
# gradient, ``state`` and ``work`` tuples of matching pieces of the state and scratch arrays,
# and ``c`` the tuple returned by _scalars().  Comments give the line of the formula computed.


class SGD(Optimizer):
    r"""Stochastic gradient descent: a step of size ``lr`` against the gradient.

    $$
    \begin{aligned}
    &\textbf{given: } \eta = \mathtt{lr},\quad g = \nabla_W L \\
    &W \leftarrow W - \eta\, g
    \end{aligned}
    $$

    Variant: plain ("vanilla") SGD, the rule of Robbins & Monro, "A stochastic approximation
    method", *Ann. Math. Statist.* 22 (1951), applied to mini-batch gradients; PyTorch's
    ``SGD`` with ``momentum=0``.

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate :math:`\eta > 0`.
    """

    # Two passes over memory whatever the slicing: cutting a layer's weights into cache-sized
    # pieces buys nothing here and costs calls, so only very large parameters are sliced.
    chunk_size = 1 << 18

    def __init__(self, lr=0.01):
        super().__init__(lr=lr)

    def _step(self, p, g, state, work, c):
        (tmp,) = work
        (lr,) = c
        np.multiply(g, lr, out=tmp)
        np.subtract(p, tmp, out=p)  # W <- W - eta g


class Momentum(Optimizer):
    r"""SGD with momentum: a velocity ``v`` accumulates past steps, like a ball rolling downhill.

    $$
    \begin{aligned}
    &\textbf{given: } \eta = \mathtt{lr},\quad \mu = \mathtt{momentum},\quad g = \nabla_W L \\
    &v \leftarrow \mu\, v - \eta\, g \\
    &W \leftarrow W + v
    \end{aligned}
    $$

    Variant: classical (heavy-ball) momentum of Polyak, "Some methods of speeding up the
    convergence of iteration methods", *USSR Comput. Math. Math. Phys.* 4 (1964), in the form of
    Sutskever et al., "On the importance of initialization and momentum in deep learning",
    ICML 2013 (and of *Deep Learning from Scratch*, which writes :math:`\alpha` for :math:`\mu`).
    PyTorch stores :math:`b = -v/\eta` instead (:math:`b \leftarrow \mu b + g`,
    :math:`W \leftarrow W - \eta b`): the same iterates while ``lr`` is constant.

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate :math:`\eta > 0`.
    momentum : float, default 0.9
        Momentum coefficient :math:`\mu \in [0, 1)`; 0 gives plain SGD.

    State: ``v`` (velocity), zeros at the start.
    """

    _hyper_names = ("lr", "momentum")
    _state_names = ("v",)

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr=lr, momentum=momentum)

    def _step(self, p, g, state, work, c):
        (v,) = state
        (tmp,) = work
        lr, mu = c
        np.multiply(v, mu, out=v)
        np.multiply(g, lr, out=tmp)
        np.subtract(v, tmp, out=v)  # v <- mu v - eta g
        np.add(p, v, out=p)  # W <- W + v


class Nesterov(Momentum):
    r"""Nesterov momentum: like ``Momentum``, but the gradient step looks ahead along the velocity.

    $$
    \begin{aligned}
    &\textbf{given: } \eta = \mathtt{lr},\quad \mu = \mathtt{momentum},\quad g = \nabla_W L \\
    &b \leftarrow \mu\, b + g \\
    &W \leftarrow W - \eta\,(g + \mu\, b)
    \end{aligned}
    $$

    Variant: Nesterov's accelerated gradient (Nesterov, "A method for solving the convex
    programming problem with convergence rate O(1/k^2)", *Soviet Math. Dokl.* 27, 1983), brought to
    deep learning by Sutskever et al. (ICML 2013), in the look-ahead form of Bengio et al.,
    "Advances in optimizing recurrent networks" (ICASSP 2013) that PyTorch's
    ``SGD(nesterov=True)`` implements: the gradient is evaluated at the current ``W``, and the
    step adds the momentum the next step will carry.  With :math:`v = -\eta b` this is
    *Deep Learning from Scratch*'s rewrite
    :math:`W \leftarrow W + \mu^2 v - (1 + \mu)\eta g` using :math:`v` *before*
    :math:`v \leftarrow \mu v - \eta g`; updating :math:`v` first is a different (wrong) rule.

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate :math:`\eta > 0`.
    momentum : float, default 0.9
        Momentum coefficient :math:`\mu \in [0, 1)`.

    State: ``b`` (momentum buffer, the running sum of gradients), zeros at the start.
    """

    _state_names = ("b",)

    def _step(self, p, g, state, work, c):
        (b,) = state
        (tmp,) = work
        lr, mu = c
        np.multiply(b, mu, out=b)
        np.add(b, g, out=b)  # b <- mu b + g
        np.multiply(b, mu, out=tmp)
        np.add(tmp, g, out=tmp)
        np.multiply(tmp, lr, out=tmp)
        np.subtract(p, tmp, out=p)  # W <- W - eta (g + mu b)


# Building blocks of the adaptive rules (all in place; ``tmp`` is scratch of the same shape).


def _running_mean(avg, x, tmp, decay):
    """avg <- decay avg + (1 - decay) x."""
    np.multiply(x, 1.0 - decay, out=tmp)
    np.multiply(avg, decay, out=avg)
    np.add(avg, tmp, out=avg)


def _running_mean_of_squares(avg, x, tmp, decay):
    """avg <- decay avg + (1 - decay) x*x."""
    np.multiply(x, 1.0 - decay, out=tmp)
    np.multiply(tmp, x, out=tmp)
    np.multiply(avg, decay, out=avg)
    np.add(avg, tmp, out=avg)


def _adaptive_step(p, num, den, tmp, step, eps):
    """W <- W - step * num / (sqrt(den) + eps)."""
    np.sqrt(den, out=tmp)
    np.add(tmp, eps, out=tmp)
    np.divide(num, tmp, out=tmp)
    np.multiply(tmp, step, out=tmp)
    np.subtract(p, tmp, out=p)


class AdaGrad(Optimizer):
    r"""AdaGrad: each element's step shrinks with the sum of its squared gradients so far.

    $$
    \begin{aligned}
    &\textbf{given: } \eta = \mathtt{lr},\quad \epsilon = \mathtt{eps},\quad g = \nabla_W L \\
    &h \leftarrow h + g \odot g \\
    &W \leftarrow W - \eta\, \frac{g}{\sqrt{h} + \epsilon}
    \end{aligned}
    $$

    Variant: Duchi, Hazan & Singer, "Adaptive subgradient methods for online learning and
    stochastic optimization", *JMLR* 12 (2011), diagonal version, as PyTorch's ``Adagrad``
    (no learning-rate decay, accumulator starting at 0); :math:`\epsilon` is added *outside*
    the square root (*Deep Learning from Scratch* uses 1e-7 there).

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate :math:`\eta > 0`.
    eps : float, default 1e-8
        :math:`\epsilon > 0`, keeps the division finite.

    State: ``h`` (sum of squared gradients), zeros at the start.
    """

    _hyper_names = ("lr", "eps")
    _state_names = ("h",)

    def __init__(self, lr=0.01, eps=1e-8):
        super().__init__(lr=lr, eps=eps)

    def _step(self, p, g, state, work, c):
        (h,) = state
        (tmp,) = work
        lr, eps = c
        np.multiply(g, g, out=tmp)
        np.add(h, tmp, out=h)  # h <- h + g*g
        _adaptive_step(p, g, h, tmp, lr, eps)  # W <- W - eta g / (sqrt(h) + eps)


class RMSProp(Optimizer):
    r"""RMSProp: AdaGrad with a decaying average of squared gradients, so steps do not vanish.

    $$
    \begin{aligned}
    &\textbf{given: } \eta = \mathtt{lr},\quad \rho = \mathtt{rho},\quad
        \epsilon = \mathtt{eps},\quad g = \nabla_W L \\
    &h \leftarrow \rho\, h + (1 - \rho)\, g \odot g \\
    &W \leftarrow W - \eta\, \frac{g}{\sqrt{h} + \epsilon}
    \end{aligned}
    $$

    Variant: Tieleman & Hinton, *Neural Networks for Machine Learning*, Coursera lecture 6.5
    (2012), uncentred and without momentum, as PyTorch's ``RMSprop`` (where :math:`\rho` is
    called ``alpha``); :math:`\epsilon` is added *outside* the square root.

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate :math:`\eta > 0`.
    rho : float, default 0.99
        Decay of the average, :math:`\rho \in [0, 1]`.
    eps : float, default 1e-8
        :math:`\epsilon > 0`.

    State: ``h`` (running average of squared gradients), zeros at the start.
    """

    _hyper_names = ("lr", "rho", "eps")
    _state_names = ("h",)

    def __init__(self, lr=0.01, rho=0.99, eps=1e-8):
        super().__init__(lr=lr, rho=rho, eps=eps)

    def _step(self, p, g, state, work, c):
        (h,) = state
        (tmp,) = work
        lr, rho, eps = c
        _running_mean_of_squares(h, g, tmp, rho)  # h <- rho h + (1 - rho) g*g
        _adaptive_step(p, g, h, tmp, lr, eps)  # W <- W - eta g / (sqrt(h) + eps)


class AdaDelta(Optimizer):
    r"""AdaDelta: RMSProp whose numerator is a running RMS of past steps, so no tuned rate.

    $$
    \begin{aligned}
    &\textbf{given: } \eta = \mathtt{lr},\quad \rho = \mathtt{rho},\quad
        \epsilon = \mathtt{eps},\quad g = \nabla_W L \\
    &v \leftarrow \rho\, v + (1 - \rho)\, g \odot g \\
    &\Delta \leftarrow -\frac{\sqrt{u + \epsilon}}{\sqrt{v + \epsilon}} \odot g \\
    &u \leftarrow \rho\, u + (1 - \rho)\, \Delta \odot \Delta \\
    &W \leftarrow W + \eta\, \Delta
    \end{aligned}
    $$

    Variant: Algorithm 1 of Zeiler, "ADADELTA: an adaptive learning rate method",
    arXiv:1212.5701 (2012), with :math:`\epsilon` inside both roots, which is the paper's
    :math:`\eta = 1`.  As in PyTorch's ``Adadelta``, ``lr`` scales only the applied step: the
    average :math:`u` of squared updates accumulates the unscaled :math:`\Delta`.

    Parameters
    ----------
    lr : float, default 1.0
        Scale :math:`\eta > 0` of the applied step.
    rho : float, default 0.95
        Decay of both averages, :math:`\rho \in [0, 1]`.
    eps : float, default 1e-6
        :math:`\epsilon > 0`; :math:`\sqrt{\epsilon}` sets the size of the first steps.

    State: ``v`` (running average of :math:`g^2`) and ``u`` (of :math:`\Delta^2`), zeros at the
    start.
    """

    _hyper_names = ("lr", "rho", "eps")
    _state_names = ("v", "u")
    _n_work = 2  # Delta needs sqrt(u + eps) and sqrt(v + eps) at once, and u, v must stay intact

    def __init__(self, lr=1.0, rho=0.95, eps=1e-6):
        super().__init__(lr=lr, rho=rho, eps=eps)

    def _step(self, p, g, state, work, c):
        v, u = state
        a, b = work
        lr, rho, eps = c
        _running_mean_of_squares(v, g, a, rho)  # v <- rho v + (1 - rho) g*g
        # a = -Delta = sqrt((u + eps) / (v + eps)) g: one root of the ratio, not two roots
        np.add(v, eps, out=a)
        np.add(u, eps, out=b)
        np.divide(b, a, out=a)
        np.sqrt(a, out=a)
        np.multiply(a, g, out=a)
        _running_mean_of_squares(u, a, b, rho)  # u <- rho u + (1 - rho) Delta*Delta
        np.multiply(a, lr, out=a)
        np.subtract(p, a, out=p)  # W <- W + eta Delta


class Adam(Optimizer):
    r"""Adam: momentum on the gradient and RMSProp on its square, both bias-corrected.

    $$
    \begin{aligned}
    &\textbf{given: } \eta = \mathtt{lr},\quad \beta_1 = \mathtt{beta1},\quad
        \beta_2 = \mathtt{beta2}, \\
    &\phantom{\textbf{given: }} \epsilon = \mathtt{eps},\quad g = \nabla_W L \\
    &t \leftarrow t + 1 \\
    &m \leftarrow \beta_1 m + (1 - \beta_1)\, g \\
    &v \leftarrow \beta_2 v + (1 - \beta_2)\, g \odot g \\
    &\hat m = m / (1 - \beta_1^t),\quad \hat v = v / (1 - \beta_2^t) \\
    &W \leftarrow W - \eta\, \frac{\hat m}{\sqrt{\hat v} + \epsilon}
    \end{aligned}
    $$

    Variant: Algorithm 1 of Kingma & Ba, "Adam: a method for stochastic optimization",
    ICLR 2015, as PyTorch's and Keras's ``Adam``: :math:`\epsilon` is added to
    :math:`\sqrt{\hat v}`.  The code uses the paper's own faster ordering (its section 2), which
    folds both corrections into the step size,
    :math:`W \leftarrow W - \eta_t\, m / (\sqrt{v} + \hat\epsilon_t)` with
    :math:`\eta_t = \eta \sqrt{1 - \beta_2^t} / (1 - \beta_1^t)`; choosing
    :math:`\hat\epsilon_t = \epsilon \sqrt{1 - \beta_2^t}` makes it exactly the formula above.
    *Deep Learning from Scratch* uses this ordering with a constant :math:`\hat\epsilon` = 1e-7,
    so its iterates differ from these only through that :math:`\epsilon` scaling.

    Parameters
    ----------
    lr : float, default 0.001
        Learning rate :math:`\eta > 0`.
    beta1, beta2 : float, default 0.9, 0.999
        Decays of the first and second moment averages, each in [0, 1).
    eps : float, default 1e-8
        :math:`\epsilon > 0`.

    State: ``m`` and ``v`` (uncorrected moment averages), zeros at the start; the step count
    ``t`` is ``opt.t``.
    """

    _hyper_names = ("lr", "beta1", "beta2", "eps")
    _state_names = ("m", "v")

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, eps=eps)

    def _scalars(self):
        root_bc2 = math.sqrt(1.0 - self.beta2**self.t)
        step = self.lr * root_bc2 / (1.0 - self.beta1**self.t)
        return (self.beta1, self.beta2, step, self.eps * root_bc2)

    def _step(self, p, g, state, work, c):
        m, v = state
        (tmp,) = work
        beta1, beta2, step, eps_hat = c
        _running_mean(m, g, tmp, beta1)  # m <- beta1 m + (1 - beta1) g
        _running_mean_of_squares(v, g, tmp, beta2)  # v <- beta2 v + (1 - beta2) g*g
        # eta m_hat / (sqrt(v_hat) + eps) == step * m / (sqrt(v) + eps_hat): no m_hat, v_hat arrays
        _adaptive_step(p, m, v, tmp, step, eps_hat)


class AdamW(Adam):
    r"""AdamW: Adam plus weight decay applied directly to the weights, not through the gradient.

    $$
    \begin{aligned}
    &\textbf{given: } \eta = \mathtt{lr},\quad \beta_1 = \mathtt{beta1},\quad
        \beta_2 = \mathtt{beta2}, \\
    &\phantom{\textbf{given: }} \epsilon = \mathtt{eps},\quad
        \lambda = \mathtt{weight\_decay},\quad g = \nabla_W L \\
    &t \leftarrow t + 1 \\
    &W \leftarrow W - \eta\, \lambda\, W \\
    &m \leftarrow \beta_1 m + (1 - \beta_1)\, g \\
    &v \leftarrow \beta_2 v + (1 - \beta_2)\, g \odot g \\
    &\hat m = m / (1 - \beta_1^t),\quad \hat v = v / (1 - \beta_2^t) \\
    &W \leftarrow W - \eta\, \frac{\hat m}{\sqrt{\hat v} + \epsilon}
    \end{aligned}
    $$

    Variant: decoupled weight decay of Loshchilov & Hutter, "Decoupled weight decay
    regularization", ICLR 2019, in the form PyTorch and Keras use: the decay is multiplied by the
    learning rate and applied before the Adam step.  (The paper multiplies it by a schedule
    multiplier :math:`\eta_t` instead, so its :math:`\lambda` is this :math:`\eta\lambda`.)
    Unlike an L2 penalty in the loss, the decay is not divided by :math:`\sqrt{\hat v}`.
    With ``weight_decay=0`` it is exactly ``Adam``.

    Parameters
    ----------
    lr, beta1, beta2, eps : float
        As for ``Adam`` (defaults 0.001, 0.9, 0.999, 1e-8).
    weight_decay : float, default 0.01
        :math:`\lambda \ge 0` (PyTorch's default).

    State: ``m`` and ``v``, as for ``Adam``.
    """

    _hyper_names = ("lr", "beta1", "beta2", "eps", "weight_decay")

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
        Optimizer.__init__(
            self, lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay
        )

    def _scalars(self):
        return (*super()._scalars(), 1.0 - self.lr * self.weight_decay)

    def _step(self, p, g, state, work, c):
        *adam, keep = c
        if self.weight_decay:
            np.multiply(p, keep, out=p)  # W <- W - eta lambda W
        super()._step(p, g, state, work, adam)


class RAdam(Adam):
    r"""RAdam: Adam that takes plain momentum steps until its variance estimate is trustworthy.

    $$
    \begin{aligned}
    &\textbf{given: } \eta = \mathtt{lr},\quad \beta_1 = \mathtt{beta1},\quad
        \beta_2 = \mathtt{beta2}, \\
    &\phantom{\textbf{given: }} \epsilon = \mathtt{eps},\quad g = \nabla_W L,\quad
        \rho_\infty = \frac{2}{1 - \beta_2} - 1 \\
    &t \leftarrow t + 1 \\
    &m \leftarrow \beta_1 m + (1 - \beta_1)\, g \\
    &v \leftarrow \beta_2 v + (1 - \beta_2)\, g \odot g \\
    &\hat m = m / (1 - \beta_1^t) \\
    &\rho_t = \rho_\infty - \frac{2 t \beta_2^t}{1 - \beta_2^t} \\
    &\text{if } \rho_t > 5:\quad
        r_t = \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\,\rho_\infty}
                         {(\rho_\infty - 4)(\rho_\infty - 2)\,\rho_t}},\quad
        W \leftarrow W - \eta\, r_t\, \hat m\, \frac{\sqrt{1 - \beta_2^t}}{\sqrt{v} + \epsilon} \\
    &\text{otherwise:}\quad W \leftarrow W - \eta\, \hat m
    \end{aligned}
    $$

    Variant: rectified Adam of Liu et al., "On the variance of the adaptive learning rate and
    beyond", ICLR 2020, as the authors' code and PyTorch's ``RAdam``: :math:`\epsilon` is added to
    :math:`\sqrt{v}` (not to :math:`\sqrt{\hat v}`), the threshold is :math:`\rho_t > 5`, and
    until it is passed the step is the un-adapted bias-corrected momentum step
    :math:`\eta \hat m`.  With the default :math:`\beta_2 = 0.999`, :math:`\rho_t` is just
    below :math:`t`, so steps 1 to 5 are momentum steps and step 6 is the first adaptive one.

    Parameters
    ----------
    lr, beta1, beta2, eps : float
        As for ``Adam`` (defaults 0.001, 0.9, 0.999, 1e-8); ``eps`` sits on :math:`\sqrt{v}`.

    State: ``m`` and ``v``, as for ``Adam``.
    """

    def rho_t(self, t=None):
        r"""The length :math:`\rho_t` of the approximated SMA at step ``t`` (default ``self.t``)."""
        t = self.t if t is None else t
        rho_inf = 2.0 / (1.0 - self.beta2) - 1.0
        beta2_t = self.beta2**t
        return rho_inf - 2.0 * t * beta2_t / (1.0 - beta2_t)

    def _scalars(self):
        bc1 = 1.0 - self.beta1**self.t
        rho_t = self.rho_t()
        if rho_t > 5.0:
            rho_inf = 2.0 / (1.0 - self.beta2) - 1.0
            r = math.sqrt(
                (rho_t - 4.0) * (rho_t - 2.0) * rho_inf
                / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t)
            )
            step = self.lr * r * math.sqrt(1.0 - self.beta2**self.t) / bc1
        else:
            step = self.lr / bc1
        return (self.beta1, self.beta2, rho_t > 5.0, step, self.eps)

    def _step(self, p, g, state, work, c):
        m, v = state
        (tmp,) = work
        beta1, beta2, adaptive, step, eps = c
        _running_mean(m, g, tmp, beta1)  # m <- beta1 m + (1 - beta1) g
        _running_mean_of_squares(v, g, tmp, beta2)  # v <- beta2 v + (1 - beta2) g*g
        if adaptive:
            # W <- W - eta r m_hat sqrt(1 - beta2^t) / (sqrt(v) + eps)
            _adaptive_step(p, m, v, tmp, step, eps)
        else:
            np.multiply(m, step, out=tmp)
            np.subtract(p, tmp, out=p)  # W <- W - eta m_hat


OPTIMIZERS = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": AdaGrad,
    "rmsprop": RMSProp,
    "adadelta": AdaDelta,
    "adam": Adam,
    "adamw": AdamW,
    "radam": RAdam,
}


def make_optimizer(name, **hyper):
    """Build an optimizer from its lower-case name and keyword hyperparameters.

    ``make_optimizer("adam", lr=0.01)`` is ``Adam(lr=0.01)``; unknown names or hyperparameters
    raise ``ValueError`` listing what is allowed.
    """
    key = str(name).lower()
    if key not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of: {', '.join(OPTIMIZERS)}")
    cls = OPTIMIZERS[key]
    unknown = sorted(set(hyper) - set(cls._hyper_names))
    if unknown:
        raise ValueError(
            f"{cls.__name__} has no hyperparameter {unknown[0]!r}; "
            f"its hyperparameters are: {', '.join(cls._hyper_names)}"
        )
    return cls(**hyper)


# --------------------------------------------------------------------------------------------
# Gradient clipping: applied to the gradients between backprop and the update.


def clip_grad_norm(grads, max_norm):
    r"""Rescale all gradients together so that their global L2 norm is at most ``max_norm``.

    With :math:`n = \sqrt{\sum_k \lVert g_k \rVert^2}` over every array in ``grads``, each
    gradient is multiplied by :math:`\min(1, \mathtt{max\_norm} / (n + 10^{-6}))`, as PyTorch's
    ``clip_grad_norm_`` does; the direction of the whole update is kept.

    Parameters
    ----------
    grads : dict[str, ndarray]
        Gradients of any shapes; modified IN PLACE.
    max_norm : float
        The largest allowed global norm, > 0.

    Returns
    -------
    float
        The global norm *before* clipping (inf or nan if a gradient is not finite).
    """
    max_norm = _positive("max_norm", max_norm)
    with np.errstate(over="ignore", invalid="ignore"):
        norms = [float(np.linalg.norm(g)) for g in grads.values()]
        total = math.sqrt(sum(n * n for n in norms))  # n * n: inf, never OverflowError
        scale = max_norm / (total + 1e-6)
        if scale < 1.0:
            for g in grads.values():
                np.multiply(g, scale, out=g)
    return total


def clip_grad_value(grads, clip_value):
    """Clip every gradient element to ``[-clip_value, clip_value]``, in place.

    Parameters
    ----------
    grads : dict[str, ndarray]
        Gradients of any shapes; modified IN PLACE.
    clip_value : float
        The largest allowed magnitude of an element, > 0.
    """
    clip_value = _positive("clip_value", clip_value)
    for g in grads.values():
        np.clip(g, -clip_value, clip_value, out=g)

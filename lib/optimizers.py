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

**Read a rule in two places that say the same thing.** Each class's docstring carries its
algorithm as a LaTeX ``aligned`` block whose symbols name the keyword arguments
(:math:`\eta` = ``lr`` and so on; ``Adam.latex()`` returns the block, so the book renders the
very formula the code is tested against), and right below it the method ``rule`` computes
that formula line by line in plain NumPy::

    def rule(self, w, g, m, v, t):          # Adam
        m = self.beta1 * m + (1 - self.beta1) * g
        v = self.beta2 * v + (1 - self.beta2) * g * g
        m_hat = m / (1 - self.beta1**t)
        v_hat = v / (1 - self.beta2**t)
        w = w - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        return w, m, v

``update`` computes the same step with the rule's ``kernel`` from :mod:`lib.fast_optimizers`,
which writes every intermediate result into memory it already has instead of allocating a
new array per operation (several times faster on the book's networks); ``update_plain`` runs
``rule`` itself.  The tests check the two against each other on injected state, and against
steps worked out by hand.

Conventions (the ones the major frameworks use; the book's appendix lists where texts differ):

* AdaGrad and RMSProp add :math:`\epsilon` *outside* the square root; Adam adds it to
  :math:`\sqrt{\hat v}`; RAdam adds it to :math:`\sqrt{v}`; AdaDelta puts it inside both roots.
* ``Nesterov`` is PyTorch's look-ahead form; ``AdamW`` scales its decay by the learning rate.
* State is created on the first ``update``, one dict per parameter name, with the parameter's
  dtype (``opt.state["W1"]["m"]``); ``opt.t`` counts the updates; ``reset()`` forgets both.
* Non-finite values propagate silently, as in the frameworks: ``update`` never emits NumPy
  warnings, and noticing divergence is the caller's job (``train`` and ``trajectory`` do it).
"""

import math

import numpy as np

from lib import checks
from lib import fast_optimizers as fast

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
    "check_hyperparameter",
    "clip_grad_norm",
    "clip_grad_value",
    "make_optimizer",
]

# One name, one meaning, one check, for every rule (see check_hyperparameter).
_CHECKS = {
    "lr": checks.positive,
    "momentum": checks.probability,
    "rho": lambda name, value: checks.probability(name, value, one=True),
    "beta1": checks.probability,
    "beta2": checks.probability,
    "eps": checks.positive,
    "weight_decay": checks.non_negative,
}


def check_hyperparameter(name, value):
    """``value`` checked as the hyperparameter ``name`` of any rule, as a Python float.

    ``lr`` and ``eps`` must be > 0, ``momentum``, ``beta1`` and ``beta2`` in [0, 1), ``rho``
    in [0, 1] and ``weight_decay`` >= 0.

    Parameters
    ----------
    name : str
        One of "lr", "momentum", "rho", "beta1", "beta2", "eps", "weight_decay".
    value : float

    Returns
    -------
    float

    Raises
    ------
    ValueError
        ``"<name> must be a number in <interval>, got <value>"``, or for an unknown
        ``name``, ``"hyperparameter must be one of 'lr', ..., got <name>"``.
    """
    return _CHECKS[checks.one_of("hyperparameter", name, _CHECKS)](name, value)


def _check_arrays(params, grads):
    """Validate ``params`` and ``grads`` before touching anything; return the grads as arrays."""
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
            raise ValueError(
                f"params[{key!r}] must be writeable (it is updated in place), got a read-only array"
            )
        g = np.asarray(grads[key])
        if g.shape != p.shape:
            raise ValueError(
                f"grads[{key!r}] must have the shape of params[{key!r}], {p.shape}, got {g.shape}"
            )
        if g.dtype.kind not in "fiub":
            raise ValueError(f"grads[{key!r}] must hold real numbers, got dtype {g.dtype}")
        arrays[key] = g
    return arrays


class Optimizer:
    """Base class of the update rules: hyperparameters, state and the two ways to step.

    A subclass names its hyperparameters and state arrays, passes the hyperparameters to
    ``Optimizer.__init__`` (which checks them, by name), and provides

    * ``rule(w, g, *state, t)``: the readable formula, returning the new ``w`` and the new
      state arrays, in the order of ``state_names`` (or just ``w`` for a rule without state);
    * ``kernel``: the same computation in place, from :mod:`lib.fast_optimizers`.

    Hyperparameters are plain attributes (``opt.lr``); assigning one (say, by a learning-rate
    schedule between updates) checks it again.

    Attributes
    ----------
    state : dict[str, dict[str, ndarray]]
        Per parameter name, the rule's running arrays (same shape and dtype as the parameter),
        created on the first update.  Assign into it to start from a known state.
    t : int
        Number of updates made since construction or the last ``reset()``; one count for all
        parameters (as in the book's code), so use one optimizer per model and ``reset()`` it
        before reusing it on another.
    flush_every : int
        Every this many updates, subnormal state entries are set to 0 (they are slow; see
        :func:`lib.fast_optimizers.flush_subnormals`).
    """

    hyperparameter_names = ("lr",)
    state_names = ()
    kernel = None
    flush_every = 16

    def __init__(self, **hyperparameters):
        for name, value in hyperparameters.items():
            setattr(self, name, value)
        self.reset()

    def __setattr__(self, name, value):
        # Hyperparameters are checked, and stored as Python floats, whenever they are set, so a
        # schedule can change ``opt.lr`` between updates without smuggling in a NumPy scalar.
        if name in _CHECKS:
            value = check_hyperparameter(name, value)
        super().__setattr__(name, value)

    def rule(self, w, g, *state, t):
        """The update of one parameter ``w`` with gradient ``g`` at step ``t``, as a formula.

        Parameters
        ----------
        w, g : ndarray of the same shape
            The parameter and its gradient; not modified.
        *state : ndarray of the shape of ``w``
            The rule's state arrays, in the order of ``state_names``; not modified.
        t : int
            The number of this update, 1 for the first.

        Returns
        -------
        ndarray or tuple of ndarray
            The new ``w``, followed by the new state arrays (in the order of
            ``state_names``) for a rule with state.
        """
        raise NotImplementedError

    def _state_of(self, key, w):
        """The state arrays of parameter ``key`` (made, as zeros, on its first update)."""
        state = self.state.get(key)
        if state is None:
            state = self.state[key] = {name: np.zeros_like(w) for name in self.state_names}
        return [state[name] for name in self.state_names]

    def update(self, params, grads):
        """Apply one step of the rule to every parameter, in place.

        Parameters
        ----------
        params : dict[str, ndarray]
            Floating-point arrays of any shape; each one is modified in place.
        grads : dict[str, ndarray]
            The gradient of the loss for each parameter: the same keys, the same shapes.
            Not modified.

        Raises
        ------
        ValueError
            Naming ``params`` or ``grads`` (and the key), when the two do not match or a
            parameter cannot be updated in place; nothing is modified then.
        """
        grads = _check_arrays(params, grads)
        self.t += 1
        hyper = self.hyperparameters
        # Overflow to inf and inf - inf = nan are the caller's to detect, silently, as in the
        # frameworks.
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            for key, w in params.items():
                state = self._state_of(key, w)
                self.kernel(w, grads[key], *state, *self._scratch.for_(w), t=self.t, **hyper)
            if self.t % self.flush_every == 0:
                arrays = (a for state in self.state.values() for a in state.values())
                fast.flush_subnormals(arrays, self._scratch)

    def update_plain(self, params, grads):
        """The step of :meth:`update`, computed with the readable :meth:`rule`.

        The same numbers up to rounding (the kernels order some operations differently),
        several times slower; for reading and for tests.  Parameters as for :meth:`update`.
        """
        grads = _check_arrays(params, grads)
        self.t += 1
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            for key, w in params.items():
                state = self._state_of(key, w)
                new = self.rule(w, grads[key], *state, t=self.t)
                new = new if isinstance(new, tuple) else (new,)
                w[...] = new[0]
                for array, value in zip(state, new[1:], strict=False):
                    array[...] = value

    def reset(self):
        """Forget all state and the step count, as if freshly constructed."""
        self.state = {}
        self.t = 0
        self._scratch = fast.Scratch()

    @property
    def hyperparameters(self):
        """The keyword arguments that rebuild this optimizer, as a dict."""
        return {name: getattr(self, name) for name in self.hyperparameter_names}

    @classmethod
    def latex(cls):
        r"""The rule's algorithm as a LaTeX ``\begin{aligned} ... \end{aligned}`` block.

        It is the block in the ``.. math::`` directive of the class docstring, so the book
        renders the very formula the tests check the code against, e.g.
        ``IPython.display.Math(Adam.latex())``.
        """
        doc = cls.__doc__ or ""
        start, end = doc.find(r"\begin{aligned}"), doc.find(r"\end{aligned}")
        if start < 0 or end < 0:
            raise ValueError(f"{cls.__name__} has no aligned formula in its docstring")
        lines = doc[start : end + len(r"\end{aligned}")].splitlines()
        return "\n".join(line.strip() for line in lines)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters.items())
        return f"{type(self).__name__}({args})"


# --------------------------------------------------------------------------------------------
# The rules.  Below each docstring's formula, ``rule`` computes it line by line.


class SGD(Optimizer):
    r"""Stochastic gradient descent: a step of size ``lr`` against the gradient.

    .. math::

        \begin{aligned}
        &\textbf{given: } \eta = \mathtt{lr},\quad g = \nabla_W L \\
        &W \leftarrow W - \eta\, g
        \end{aligned}

    Variant: plain ("vanilla") SGD, the rule of Robbins & Monro, "A stochastic approximation
    method", *Ann. Math. Statist.* 22 (1951), applied to mini-batch gradients; PyTorch's
    ``SGD`` with ``momentum=0``.

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate :math:`\eta > 0`.
    """

    hyperparameter_names = ("lr",)
    state_names = ()
    kernel = staticmethod(fast.sgd)

    def __init__(self, lr=0.01):
        super().__init__(lr=lr)

    def rule(self, w, g, t):
        return w - self.lr * g


class Momentum(Optimizer):
    r"""SGD with momentum: a velocity ``v`` accumulates past steps, like a ball rolling downhill.

    .. math::

        \begin{aligned}
        &\textbf{given: } \eta = \mathtt{lr},\quad \mu = \mathtt{momentum},\quad g = \nabla_W L \\
        &v \leftarrow \mu\, v - \eta\, g \\
        &W \leftarrow W + v
        \end{aligned}

    Variant: classical (heavy-ball) momentum of Polyak, "Some methods of speeding up the
    convergence of iteration methods", *USSR Comput. Math. Math. Phys.* 4 (1964), in the form of
    Sutskever et al., "On the importance of initialization and momentum in deep learning",
    ICML 2013 (and of *Deep Learning from Scratch*, which writes :math:`\alpha` for :math:`\mu`).
    PyTorch stores :math:`b = -v/\eta` instead (:math:`b \leftarrow \mu b + g`,
    :math:`W \leftarrow W - \eta b`): the same iterates while ``lr`` is constant.

    State: ``v`` (velocity), zeros at the start.

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate :math:`\eta > 0`.
    momentum : float, default 0.9
        Momentum coefficient :math:`\mu \in [0, 1)`; 0 gives plain SGD.
    """

    hyperparameter_names = ("lr", "momentum")
    state_names = ("v",)
    kernel = staticmethod(fast.momentum)

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr=lr, momentum=momentum)

    def rule(self, w, g, v, t):
        v = self.momentum * v - self.lr * g
        w = w + v
        return w, v


class Nesterov(Optimizer):
    r"""Nesterov momentum: like ``Momentum``, but the gradient step looks ahead along the velocity.

    .. math::

        \begin{aligned}
        &\textbf{given: } \eta = \mathtt{lr},\quad \mu = \mathtt{momentum},\quad g = \nabla_W L \\
        &b \leftarrow \mu\, b + g \\
        &W \leftarrow W - \eta\,(g + \mu\, b)
        \end{aligned}

    Variant: Nesterov's accelerated gradient (Nesterov, "A method for solving the convex
    programming problem with convergence rate O(1/k^2)", *Soviet Math. Dokl.* 27, 1983), brought to
    deep learning by Sutskever et al. (ICML 2013), in the look-ahead form of Bengio et al.,
    "Advances in optimizing recurrent networks" (ICASSP 2013) that PyTorch's
    ``SGD(nesterov=True)`` implements: the gradient is evaluated at the current ``W``, and the
    step adds the momentum the next step will carry.  With :math:`v = -\eta b` this is
    *Deep Learning from Scratch*'s rewrite
    :math:`W \leftarrow W + \mu^2 v - (1 + \mu)\eta g` using :math:`v` *before*
    :math:`v \leftarrow \mu v - \eta g`; updating :math:`v` first is a different (wrong) rule.

    State: ``b`` (momentum buffer, the running sum of gradients), zeros at the start.

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate :math:`\eta > 0`.
    momentum : float, default 0.9
        Momentum coefficient :math:`\mu \in [0, 1)`.
    """

    hyperparameter_names = ("lr", "momentum")
    state_names = ("b",)
    kernel = staticmethod(fast.nesterov)

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr=lr, momentum=momentum)

    def rule(self, w, g, b, t):
        b = self.momentum * b + g
        w = w - self.lr * (g + self.momentum * b)
        return w, b


class AdaGrad(Optimizer):
    r"""AdaGrad: each element's step shrinks with the sum of its squared gradients so far.

    .. math::

        \begin{aligned}
        &\textbf{given: } \eta = \mathtt{lr},\quad \epsilon = \mathtt{eps},\quad g = \nabla_W L \\
        &h \leftarrow h + g \odot g \\
        &W \leftarrow W - \eta\, \frac{g}{\sqrt{h} + \epsilon}
        \end{aligned}

    Variant: Duchi, Hazan & Singer, "Adaptive subgradient methods for online learning and
    stochastic optimization", *JMLR* 12 (2011), diagonal version, as PyTorch's ``Adagrad``
    (no learning-rate decay, accumulator starting at 0); :math:`\epsilon` is added *outside*
    the square root (*Deep Learning from Scratch* uses 1e-7 there).

    State: ``h`` (sum of squared gradients), zeros at the start.

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate :math:`\eta > 0`.
    eps : float, default 1e-8
        :math:`\epsilon > 0`, keeps the division finite.
    """

    hyperparameter_names = ("lr", "eps")
    state_names = ("h",)
    kernel = staticmethod(fast.adagrad)

    def __init__(self, lr=0.01, eps=1e-8):
        super().__init__(lr=lr, eps=eps)

    def rule(self, w, g, h, t):
        h = h + g * g
        w = w - self.lr * g / (np.sqrt(h) + self.eps)
        return w, h


class RMSProp(Optimizer):
    r"""RMSProp: AdaGrad with a decaying average of squared gradients, so steps do not vanish.

    .. math::

        \begin{aligned}
        &\textbf{given: } \eta = \mathtt{lr},\quad \rho = \mathtt{rho},\quad
            \epsilon = \mathtt{eps},\quad g = \nabla_W L \\
        &h \leftarrow \rho\, h + (1 - \rho)\, g \odot g \\
        &W \leftarrow W - \eta\, \frac{g}{\sqrt{h} + \epsilon}
        \end{aligned}

    Variant: Tieleman & Hinton, *Neural Networks for Machine Learning*, Coursera lecture 6.5
    (2012), uncentred and without momentum, as PyTorch's ``RMSprop`` (where :math:`\rho` is
    called ``alpha``); :math:`\epsilon` is added *outside* the square root.

    State: ``h`` (running average of squared gradients), zeros at the start.

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate :math:`\eta > 0`.
    rho : float, default 0.99
        Decay of the average, :math:`\rho \in [0, 1]`.
    eps : float, default 1e-8
        :math:`\epsilon > 0`.
    """

    hyperparameter_names = ("lr", "rho", "eps")
    state_names = ("h",)
    kernel = staticmethod(fast.rmsprop)

    def __init__(self, lr=0.01, rho=0.99, eps=1e-8):
        super().__init__(lr=lr, rho=rho, eps=eps)

    def rule(self, w, g, h, t):
        h = self.rho * h + (1 - self.rho) * g * g
        w = w - self.lr * g / (np.sqrt(h) + self.eps)
        return w, h


class AdaDelta(Optimizer):
    r"""AdaDelta: RMSProp whose numerator is a running RMS of past steps, so no tuned rate.

    .. math::

        \begin{aligned}
        &\textbf{given: } \eta = \mathtt{lr},\quad \rho = \mathtt{rho},\quad
            \epsilon = \mathtt{eps},\quad g = \nabla_W L \\
        &v \leftarrow \rho\, v + (1 - \rho)\, g \odot g \\
        &\Delta \leftarrow -\frac{\sqrt{u + \epsilon}}{\sqrt{v + \epsilon}} \odot g \\
        &u \leftarrow \rho\, u + (1 - \rho)\, \Delta \odot \Delta \\
        &W \leftarrow W + \eta\, \Delta
        \end{aligned}

    Variant: Algorithm 1 of Zeiler, "ADADELTA: an adaptive learning rate method",
    arXiv:1212.5701 (2012), with :math:`\epsilon` inside both roots, which is the paper's
    :math:`\eta = 1`.  As in PyTorch's ``Adadelta``, ``lr`` scales only the applied step: the
    average :math:`u` of squared updates accumulates the unscaled :math:`\Delta`.

    State: ``v`` (running average of :math:`g^2`) and ``u`` (of :math:`\Delta^2`), zeros at the
    start.

    Parameters
    ----------
    lr : float, default 1.0
        Scale :math:`\eta > 0` of the applied step.
    rho : float, default 0.95
        Decay of both averages, :math:`\rho \in [0, 1]`.
    eps : float, default 1e-6
        :math:`\epsilon > 0`; :math:`\sqrt{\epsilon}` sets the size of the first steps.
    """

    hyperparameter_names = ("lr", "rho", "eps")
    state_names = ("v", "u")
    kernel = staticmethod(fast.adadelta)

    def __init__(self, lr=1.0, rho=0.95, eps=1e-6):
        super().__init__(lr=lr, rho=rho, eps=eps)

    def rule(self, w, g, v, u, t):
        v = self.rho * v + (1 - self.rho) * g * g
        delta = -np.sqrt(u + self.eps) / np.sqrt(v + self.eps) * g
        u = self.rho * u + (1 - self.rho) * delta * delta
        w = w + self.lr * delta
        return w, v, u


class Adam(Optimizer):
    r"""Adam: momentum on the gradient and RMSProp on its square, both bias-corrected.

    .. math::

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

    Variant: Algorithm 1 of Kingma & Ba, "Adam: a method for stochastic optimization",
    ICLR 2015, as PyTorch's and Keras's ``Adam``: :math:`\epsilon` is added to
    :math:`\sqrt{\hat v}`.  The paper's section 2 notes a faster ordering that folds both
    corrections into the step size,
    :math:`W \leftarrow W - \eta_t\, m / (\sqrt{v} + \hat\epsilon_t)` with
    :math:`\eta_t = \eta \sqrt{1 - \beta_2^t} / (1 - \beta_1^t)`; with
    :math:`\hat\epsilon_t = \epsilon \sqrt{1 - \beta_2^t}` it is exactly the formula above, and
    it is what ``update`` runs (:func:`lib.fast_optimizers.adam`).  *Deep Learning from Scratch*
    uses that ordering with a constant :math:`\hat\epsilon` = 1e-7, so its iterates differ from
    these only through that :math:`\epsilon` scaling.

    State: ``m`` and ``v`` (uncorrected moment averages), zeros at the start; the step count
    ``t`` is ``opt.t``.

    Parameters
    ----------
    lr : float, default 0.001
        Learning rate :math:`\eta > 0`.
    beta1, beta2 : float, default 0.9, 0.999
        Decays of the first and second moment averages, each in [0, 1).
    eps : float, default 1e-8
        :math:`\epsilon > 0`.
    """

    hyperparameter_names = ("lr", "beta1", "beta2", "eps")
    state_names = ("m", "v")
    kernel = staticmethod(fast.adam)

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, eps=eps)

    def rule(self, w, g, m, v, t):
        m = self.beta1 * m + (1 - self.beta1) * g
        v = self.beta2 * v + (1 - self.beta2) * g * g
        m_hat = m / (1 - self.beta1**t)
        v_hat = v / (1 - self.beta2**t)
        w = w - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        return w, m, v


class AdamW(Adam):
    r"""AdamW: Adam plus weight decay applied directly to the weights, not through the gradient.

    .. math::

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

    Variant: decoupled weight decay of Loshchilov & Hutter, "Decoupled weight decay
    regularization", ICLR 2019, in the form PyTorch and Keras use: the decay is multiplied by the
    learning rate and applied before the Adam step.  (The paper multiplies it by a schedule
    multiplier :math:`\eta_t` instead, so its :math:`\lambda` is this :math:`\eta\lambda`.)
    Unlike an L2 penalty in the loss, the decay is not divided by :math:`\sqrt{\hat v}`.
    With ``weight_decay=0`` it is exactly ``Adam``.

    State: ``m`` and ``v``, as for ``Adam``.

    Parameters
    ----------
    lr, beta1, beta2, eps : float
        As for ``Adam`` (defaults 0.001, 0.9, 0.999, 1e-8).
    weight_decay : float, default 0.01
        :math:`\lambda \ge 0` (PyTorch's default).
    """

    hyperparameter_names = ("lr", "beta1", "beta2", "eps", "weight_decay")
    kernel = staticmethod(fast.adamw)

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
        Optimizer.__init__(
            self, lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay
        )

    def rule(self, w, g, m, v, t):
        w = w - self.lr * self.weight_decay * w
        return super().rule(w, g, m, v, t)  # then Adam's step, unchanged


class RAdam(Adam):
    r"""RAdam: Adam that takes plain momentum steps until its variance estimate is trustworthy.

    .. math::

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
            W \leftarrow W - \eta\, r_t\, \hat m\,
            \frac{\sqrt{1 - \beta_2^t}}{\sqrt{v} + \epsilon} \\
        &\text{otherwise:}\quad W \leftarrow W - \eta\, \hat m
        \end{aligned}

    Variant: rectified Adam of Liu et al., "On the variance of the adaptive learning rate and
    beyond", ICLR 2020, as the authors' code and PyTorch's ``RAdam``: :math:`\epsilon` is added to
    :math:`\sqrt{v}` (not to :math:`\sqrt{\hat v}`), the threshold is :math:`\rho_t > 5`, and
    until it is passed the step is the un-adapted bias-corrected momentum step
    :math:`\eta \hat m`.  With the default :math:`\beta_2 = 0.999`, :math:`\rho_t` is just
    below :math:`t`, so steps 1 to 5 are momentum steps and step 6 is the first adaptive one.

    State: ``m`` and ``v``, as for ``Adam``.

    Parameters
    ----------
    lr, beta1, beta2, eps : float
        As for ``Adam`` (defaults 0.001, 0.9, 0.999, 1e-8); ``eps`` sits on :math:`\sqrt{v}`.
    """

    kernel = staticmethod(fast.radam)

    def rule(self, w, g, m, v, t):
        m = self.beta1 * m + (1 - self.beta1) * g
        v = self.beta2 * v + (1 - self.beta2) * g * g
        m_hat = m / (1 - self.beta1**t)
        rho_inf = 2 / (1 - self.beta2) - 1
        rho_t = rho_inf - 2 * t * self.beta2**t / (1 - self.beta2**t)
        if rho_t > 5:
            r_t = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                            / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            w = w - self.lr * r_t * m_hat * math.sqrt(1 - self.beta2**t) / (np.sqrt(v) + self.eps)
        else:
            w = w - self.lr * m_hat
        return w, m, v

    def rho_t(self, t=None):
        r"""The length :math:`\rho_t` of the approximated SMA at step ``t`` (default ``self.t``)."""
        t = self.t if t is None else t
        rho_inf = 2.0 / (1.0 - self.beta2) - 1.0
        return rho_inf - 2.0 * t * self.beta2**t / (1.0 - self.beta2**t)


#: The registry of update rules: lower-case name -> class.
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


def make_optimizer(name, **hyperparameters):
    """Build an optimizer from its name and keyword hyperparameters.

    ``make_optimizer("adam", lr=0.01)`` is ``Adam(lr=0.01)``.

    Parameters
    ----------
    name : str
        A key of :data:`OPTIMIZERS`, in any case.
    **hyperparameters
        Keyword arguments of the rule's class.

    Returns
    -------
    Optimizer

    Raises
    ------
    ValueError
        For an unknown name or hyperparameter, listing what is allowed.
    """
    key = checks.one_of("name", str(name).lower(), OPTIMIZERS)
    cls = OPTIMIZERS[key]
    for hyper in hyperparameters:
        checks.one_of(f"{cls.__name__}'s hyperparameter", hyper, cls.hyperparameter_names)
    return cls(**hyperparameters)


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
    max_norm = checks.positive("max_norm", max_norm)
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
    clip_value = checks.positive("clip_value", clip_value)
    for g in grads.values():
        np.clip(g, -clip_value, clip_value, out=g)

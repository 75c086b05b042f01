r"""The update rules of :mod:`lib.optimizers`, rewritten for speed: in place, without temporaries.

Read :mod:`lib.optimizers` first: there every rule is a few lines of NumPy that match its
formula.  Those lines allocate a new array for every operation (``beta1 * m`` is a new array,
``(1 - beta1) * g`` another, ...), and each new array is written to and read back from main
memory.  For the book's networks that costs more than the rule's arithmetic.  The kernels
below compute the same numbers with every operation writing into memory that already exists
(NumPy's ``out=`` argument): the parameter, its state, or one of two *scratch* arrays that an
optimizer keeps per parameter shape (:class:`Scratch`).  The tests check every kernel against
its readable rule on injected state.

A kernel takes ``(w, g, *state, a, b, *, t, **hyperparameters)``: the parameter ``w`` and its
state arrays are updated in place, ``g`` is only read, ``a`` and ``b`` are scratch arrays of the
same shape, ``t`` is the number of this update (1 for the first) and the hyperparameters are
Python floats.  (Scalars stay Python floats: NumPy 2 turns a float32 array times a NumPy float64
*scalar* into a float64 array, which would silently double the memory traffic.)

Adam's kernel folds the two bias corrections into the step size, the faster ordering of
section 2 of its paper, :math:`W \leftarrow W - \eta_t\, m / (\sqrt{v} + \hat\epsilon_t)` with
:math:`\eta_t = \eta\sqrt{1-\beta_2^t}/(1-\beta_1^t)` and
:math:`\hat\epsilon_t = \epsilon\sqrt{1-\beta_2^t}`: algebraically the same step, with no
:math:`\hat m` or :math:`\hat v` arrays to fill.
"""

import math

import numpy as np

__all__ = [
    "Scratch",
    "adadelta",
    "adagrad",
    "adam",
    "adamw",
    "flush_subnormals",
    "momentum",
    "nesterov",
    "radam",
    "rmsprop",
    "sgd",
]


class Scratch:
    """Scratch arrays for the kernels, made once per parameter shape and dtype, then reused."""

    def __init__(self):
        self._arrays = {}

    def for_(self, like):
        """Two arrays ``(a, b)`` of the shape and dtype of ``like``, for temporary results."""
        key = (like.shape, like.dtype)
        if key not in self._arrays:
            self._arrays[key] = (np.empty_like(like), np.empty_like(like))
        return self._arrays[key]


# ---- building blocks ------------------------------------------------------------------------


def _running_mean(avg, x, a, decay):
    """avg <- decay avg + (1 - decay) x."""
    np.multiply(x, 1.0 - decay, out=a)
    np.multiply(avg, decay, out=avg)
    np.add(avg, a, out=avg)


def _running_mean_of_squares(avg, x, a, decay):
    """avg <- decay avg + (1 - decay) x * x."""
    np.multiply(x, 1.0 - decay, out=a)
    np.multiply(a, x, out=a)
    np.multiply(avg, decay, out=avg)
    np.add(avg, a, out=avg)


def _adaptive_step(w, num, den, a, step, eps):
    """w <- w - step * num / (sqrt(den) + eps)."""
    np.sqrt(den, out=a)
    np.add(a, eps, out=a)
    np.divide(num, a, out=a)
    np.multiply(a, step, out=a)
    np.subtract(w, a, out=w)


# ---- the kernels, in the order of lib.optimizers -------------------------------------------


def sgd(w, g, a, b, *, t, lr):
    """w <- w - lr g."""
    np.multiply(g, lr, out=a)
    np.subtract(w, a, out=w)


def momentum(w, g, v, a, b, *, t, lr, momentum):
    """v <- momentum v - lr g;  w <- w + v."""
    np.multiply(v, momentum, out=v)
    np.multiply(g, lr, out=a)
    np.subtract(v, a, out=v)
    np.add(w, v, out=w)


def nesterov(w, g, buf, a, b, *, t, lr, momentum):
    """buf <- momentum buf + g;  w <- w - lr (g + momentum buf)."""
    np.multiply(buf, momentum, out=buf)
    np.add(buf, g, out=buf)
    np.multiply(buf, momentum, out=a)
    np.add(a, g, out=a)
    np.multiply(a, lr, out=a)
    np.subtract(w, a, out=w)


def adagrad(w, g, h, a, b, *, t, lr, eps):
    """h <- h + g g;  w <- w - lr g / (sqrt(h) + eps)."""
    np.multiply(g, g, out=a)
    np.add(h, a, out=h)
    _adaptive_step(w, g, h, a, lr, eps)


def rmsprop(w, g, h, a, b, *, t, lr, rho, eps):
    """h <- rho h + (1 - rho) g g;  w <- w - lr g / (sqrt(h) + eps)."""
    _running_mean_of_squares(h, g, a, rho)
    _adaptive_step(w, g, h, a, lr, eps)


def adadelta(w, g, v, u, a, b, *, t, lr, rho, eps):
    """v <- rho v + (1 - rho) g g;  delta = -sqrt((u + eps) / (v + eps)) g;  w <- w + lr delta.

    And u <- rho u + (1 - rho) delta delta, between the last two.
    """
    _running_mean_of_squares(v, g, a, rho)
    np.add(v, eps, out=a)  # a = -delta = sqrt((u + eps) / (v + eps)) g: one root, not two
    np.add(u, eps, out=b)
    np.divide(b, a, out=a)
    np.sqrt(a, out=a)
    np.multiply(a, g, out=a)
    _running_mean_of_squares(u, a, b, rho)
    np.multiply(a, lr, out=a)
    np.subtract(w, a, out=w)


def adam(w, g, m, v, a, b, *, t, lr, beta1, beta2, eps):
    """m, v <- running means of g and g g;  w <- w - lr_t m / (sqrt(v) + eps_t), folded."""
    _running_mean(m, g, a, beta1)
    _running_mean_of_squares(v, g, a, beta2)
    root_bc2 = math.sqrt(1.0 - beta2**t)
    _adaptive_step(w, m, v, a, lr * root_bc2 / (1.0 - beta1**t), eps * root_bc2)


def adamw(w, g, m, v, a, b, *, t, lr, beta1, beta2, eps, weight_decay):
    """w <- (1 - lr weight_decay) w, then Adam's step."""
    if weight_decay:
        np.multiply(w, 1.0 - lr * weight_decay, out=w)
    adam(w, g, m, v, a, b, t=t, lr=lr, beta1=beta1, beta2=beta2, eps=eps)


def radam(w, g, m, v, a, b, *, t, lr, beta1, beta2, eps):
    """RAdam: a momentum step while rho_t <= 5, then Adam's step scaled by r_t."""
    _running_mean(m, g, a, beta1)
    _running_mean_of_squares(v, g, a, beta2)
    bc1 = 1.0 - beta1**t
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    rho_t = rho_inf - 2.0 * t * beta2**t / (1.0 - beta2**t)
    if rho_t > 5.0:
        r = math.sqrt(
            (rho_t - 4.0) * (rho_t - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t)
        )
        _adaptive_step(w, m, v, a, lr * r * math.sqrt(1.0 - beta2**t) / bc1, eps)
    else:
        np.multiply(m, lr / bc1, out=a)
        np.subtract(w, a, out=w)


def flush_subnormals(arrays, scratch):
    r"""Set the subnormal entries of ``arrays`` to 0, in place.

    Subnormal numbers are those with :math:`0 < |x|` below the smallest normal number of
    their dtype.  A running average whose gradient stays exactly 0, as for a dead ReLU unit,
    decays geometrically through the subnormal range (below 1.2e-38 in float32) before it
    underflows to 0, and CPUs compute with subnormal numbers on a slow path, 10 to 100 times
    slower: measured on Adam training a 5x100 network, the update's time grew sixfold from
    the second epoch on.  Setting them to 0 moves a value by less than 1.2e-38, far below any
    eps.

    Parameters
    ----------
    arrays : iterable of ndarray
        Floating-point arrays, modified in place.
    scratch : Scratch
        Where the temporary ``|x|`` is computed.
    """
    for x in arrays:
        a = scratch.for_(x)[0]
        np.abs(x, out=a)
        np.copyto(x, 0.0, where=a < float(np.finfo(x.dtype).tiny))

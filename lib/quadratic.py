r"""Heavy-ball momentum on a quadratic bowl: where it converges, how fast, and the best settings.

On a quadratic :math:`f(w) = \tfrac12 \sum_i \lambda_i w_i^2` (every convex quadratic looks like
this in the eigenbasis of its Hessian; the :math:`\lambda_i > 0` are the *curvatures*) the
gradient is :math:`g_i = \lambda_i w_i`, and the momentum rule of :class:`lib.optimizers.Momentum`,

.. math::

    v \leftarrow \mu v - \eta g, \qquad w \leftarrow w + v,

splits into one independent linear recurrence per direction :math:`i`:

.. math::

    \begin{pmatrix} w_{k+1} \\ v_{k+1} \end{pmatrix}
    = \underbrace{\begin{pmatrix} 1 - \eta\lambda & \mu \\ -\eta\lambda & \mu \end{pmatrix}}_{T}
      \begin{pmatrix} w_k \\ v_k \end{pmatrix}.

After :math:`k` steps the error is :math:`T^k` times the start, so it shrinks like
:math:`\rho(T)^k`, where the *spectral radius* :math:`\rho(T)` is the largest modulus of the
roots of the characteristic polynomial

.. math::

    z^2 - (1 + \mu - \eta\lambda)\, z + \mu = 0 .

The two roots multiply to :math:`\mu`.  When they are complex (the iterates spiral in, the
ball oscillates) both have modulus :math:`\sqrt{\mu}`; when they are real the larger one is
:math:`(|a| + \sqrt{a^2 - 4\mu})/2` with :math:`a = 1 + \mu - \eta\lambda`.  The whole bowl
converges at the rate of its slowest direction, :math:`\max_i \rho(T_i)`, and it stops
converging as soon as :math:`\eta\lambda_{\max} \ge 2(1 + \mu)`, where a root reaches -1.

The best pair (Polyak, 1964) puts both extreme curvatures exactly on the edge of the complex
region, where the rate is :math:`\sqrt{\mu}` for every curvature in between:

.. math::

    \mu^\star = \left(\frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\right)^2, \qquad
    \eta^\star = \frac{4}{(\sqrt{\lambda_{\max}} + \sqrt{\lambda_{\min}})^2}, \qquad
    \rho^\star = \frac{\sqrt\kappa - 1}{\sqrt\kappa + 1},

with the condition number :math:`\kappa = \lambda_{\max}/\lambda_{\min}`.  Plain gradient
descent (:math:`\mu = 0`) can do no better than :math:`\eta = 2/(\lambda_{\max} + \lambda_{\min})`
and :math:`\rho = (\kappa - 1)/(\kappa + 1)`: momentum replaces :math:`\kappa` by
:math:`\sqrt\kappa`.  (Optimisation texts write :math:`L` and :math:`\mu` for the largest and
smallest curvature and :math:`\beta` for the momentum; here :math:`L` is the loss and :math:`\mu`
the momentum coefficient, as everywhere in the book.)

Everything here is closed-form NumPy on arrays: a whole (lr, momentum) plane is one call.
"""

import math

import numpy as np

__all__ = [
    "best_on_grid",
    "best_sgd",
    "curvatures",
    "iteration_matrix",
    "max_stable_lr",
    "polyak_optimum",
    "rate_map",
    "spectral_radius",
    "steps_per_decade",
]


def _curvature_pair(lam_min, lam_max):
    lam_min = _positive("lam_min", lam_min)
    lam_max = _positive("lam_max", lam_max)
    if lam_min > lam_max:
        raise ValueError(f"lam_min must be <= lam_max, got {lam_min!r} > {lam_max!r}")
    return lam_min, lam_max


def _array(name, values, low=0.0, high=math.inf, include_low=False):
    """``values`` as a float array whose entries all lie in (low, high), or [low, high).

    A NaN, an entry out of range or something that is not a number raises ``ValueError``
    naming the argument and the allowed range.
    """
    interval = f"{'[' if include_low else '('}{low}, {high})"
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number in {interval}, got {values!r}") from None
    ok = ((arr >= low) if include_low else (arr > low)) & (arr < high)  # False for NaN
    if not np.all(ok):
        raise ValueError(f"{name} must be in {interval}, got {arr[~ok].flat[0]!r}")
    return arr


def _positive(name, value):
    """A scalar > 0 and finite, as a Python float."""
    return float(_array(name, value))


def _momentum(values):
    """Momentum coefficients, each in [0, 1), as a float array."""
    return _array("momentum", values, high=1.0, include_low=True)


def curvatures(kappa, lam_max=1.0):
    """The two curvatures ``(lam_min, lam_max)`` of a 2-D bowl with condition number ``kappa``.

    ``kappa`` >= 1; ``lam_max`` > 0 is the largest curvature, ``lam_min = lam_max / kappa``.
    """
    kappa = _positive("kappa", kappa)
    if kappa < 1.0:
        raise ValueError(f"kappa must be >= 1, got {kappa!r}")
    lam_max = _positive("lam_max", lam_max)
    return lam_max / kappa, lam_max


def iteration_matrix(lr, momentum, curvature):
    r"""The 2 x 2 matrix :math:`T` mapping :math:`(w_k, v_k)` to :math:`(w_{k+1}, v_{k+1})`.

    For one direction of curvature :math:`\lambda` (scalars ``lr`` :math:`=\eta > 0`,
    ``momentum`` :math:`=\mu \in [0, 1)`, ``curvature`` :math:`=\lambda > 0`).  Returns an
    ndarray of shape (2, 2); its eigenvalues are the roots of
    :math:`z^2 - (1 + \mu - \eta\lambda) z + \mu`.
    """
    lr = _positive("lr", lr)
    mu = float(_momentum(momentum))
    lam = _positive("curvature", curvature)
    return np.array([[1.0 - lr * lam, mu], [-lr * lam, mu]])


def spectral_radius(lr, momentum, curvature_values):
    r"""Per-step convergence factor of heavy-ball momentum on a quadratic, for many settings.

    lr: array of learning rates :math:`\eta > 0`, any shape.
    momentum: array of momentum coefficients :math:`\mu \in [0, 1)`, broadcastable with ``lr``.
    curvature_values: the curvatures :math:`\lambda_i > 0` of the bowl (a sequence, or a float).

    Returns an array of the broadcast shape of ``lr`` and ``momentum``:
    :math:`\max_i \rho(T_i)`, the factor by which the error shrinks per step in the long run.
    Values >= 1 mean the iteration does not converge (> 1: it diverges).
    """
    lr = _array("lr", lr)
    mu = _momentum(momentum)
    lams = np.atleast_1d(np.asarray(curvature_values, dtype=float))
    if lams.ndim != 1 or lams.size == 0 or not np.all(np.isfinite(lams) & (lams > 0)):
        raise ValueError(
            "curvature_values must be a non-empty sequence of numbers > 0, "
            f"got {curvature_values!r}"
        )
    lr, mu = np.broadcast_arrays(lr, mu)
    rate = np.zeros(lr.shape)
    root_mu = np.sqrt(mu)
    for lam in lams:
        a = 1.0 + mu - lr * lam
        disc = a * a - 4.0 * mu
        real = (np.abs(a) + np.sqrt(np.maximum(disc, 0.0))) / 2.0
        rate = np.maximum(rate, np.where(disc > 0.0, real, root_mu))
    return rate


def max_stable_lr(momentum, lam_max):
    r"""The learning rate at which momentum starts to diverge: :math:`2(1 + \mu)/\lambda_{\max}`.

    Below it (and for :math:`\mu < 1`) every direction converges; at it the stiffest
    direction no longer shrinks (a root of -1), and above it its iterates flip sign and grow.
    ``momentum`` may be an array.
    """
    mu = _momentum(momentum)
    lam_max = _positive("lam_max", lam_max)
    return 2.0 * (1.0 + mu) / lam_max


def polyak_optimum(lam_min, lam_max):
    r"""Polyak's best heavy-ball setting for curvatures in ``[lam_min, lam_max]``.

    Returns ``(lr, momentum, rate)`` as Python floats:
    :math:`\eta^\star = 4/(\sqrt{\lambda_{\max}} + \sqrt{\lambda_{\min}})^2`,
    :math:`\mu^\star = ((\sqrt\kappa - 1)/(\sqrt\kappa + 1))^2` and the per-step factor
    :math:`\rho^\star = \sqrt{\mu^\star}`.
    """
    lam_min, lam_max = _curvature_pair(lam_min, lam_max)
    root_kappa = math.sqrt(lam_max / lam_min)
    rate = (root_kappa - 1.0) / (root_kappa + 1.0)
    lr = 4.0 / (math.sqrt(lam_max) + math.sqrt(lam_min)) ** 2
    return lr, rate * rate, rate


def best_sgd(lam_min, lam_max):
    r"""The best plain gradient-descent step: ``(lr, rate)`` as Python floats.

    :math:`\eta = 2/(\lambda_{\max} + \lambda_{\min})` makes the stiffest and the flattest
    directions shrink equally fast, at :math:`\rho = (\kappa - 1)/(\kappa + 1)` per step.
    """
    lam_min, lam_max = _curvature_pair(lam_min, lam_max)
    kappa = lam_max / lam_min
    return 2.0 / (lam_max + lam_min), (kappa - 1.0) / (kappa + 1.0)


def steps_per_decade(rate):
    r"""Steps needed to shrink the error tenfold at per-step factor ``rate``.

    That is :math:`\ln 10 / (-\ln\rho)`.

    ``rate``: array of factors >= 0.  Returns an array of the same shape; ``inf`` where
    ``rate`` >= 1 (no convergence) and 0 where ``rate`` is 0 (exact in one step).
    """
    rate = np.asarray(rate, dtype=float)
    if np.any(~(rate >= 0.0)):
        raise ValueError("rate must be >= 0 everywhere")
    with np.errstate(divide="ignore"):
        log_rate = np.log(np.where(rate < 1.0, rate, 1.0))
        return np.where(rate < 1.0, math.log(10.0) / -log_rate, np.inf)


def rate_map(kappa, lrs, momenta, lam_max=1.0):
    r"""The convergence factor over a grid of (learning rate, momentum) on a 2-D bowl.

    kappa: condition number >= 1 of the bowl
        :math:`\tfrac12(\lambda_{\min} x^2 + \lambda_{\max} y^2)`.
    lrs: array of shape (n,) of learning rates > 0.
    momenta: array of shape (m,) of momentum coefficients in [0, 1).
    lam_max: the largest curvature (the smallest is ``lam_max / kappa``).

    Returns an array of shape (m, n): entry ``[j, i]`` is the spectral radius at
    ``(lrs[i], momenta[j])`` (rows follow the momentum, ready for ``imshow``/``pcolormesh``).
    """
    lams = curvatures(kappa, lam_max)
    lrs = np.asarray(lrs, dtype=float)
    momenta = np.asarray(momenta, dtype=float)
    if lrs.ndim != 1 or momenta.ndim != 1:
        raise ValueError("lrs and momenta must be 1-D arrays")
    return spectral_radius(lrs[None, :], momenta[:, None], lams)


def best_on_grid(rates, lrs, momenta):
    """The grid point with the smallest convergence factor: ``(lr, momentum, rate)`` as floats.

    rates: array (m, n) from :func:`rate_map`; lrs (n,) and momenta (m,) its axes.
    """
    rates = np.asarray(rates, dtype=float)
    if rates.shape != (len(momenta), len(lrs)):
        raise ValueError(
            f"rates must have shape (len(momenta), len(lrs)) = {(len(momenta), len(lrs))}, "
            f"got {rates.shape}"
        )
    j, i = np.unravel_index(int(np.argmin(rates)), rates.shape)
    return float(lrs[i]), float(momenta[j]), float(rates[j, i])

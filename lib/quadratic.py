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

from lib import checks

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
    """The smallest and largest curvature, checked: both > 0, and in order."""
    lam_min = checks.positive("lam_min", lam_min)
    lam_max = checks.positive("lam_max", lam_max)
    if lam_min > lam_max:
        raise ValueError(f"lam_min must be <= lam_max ({lam_max!r}), got {lam_min!r}")
    return lam_min, lam_max


def _momenta(values):
    """Momentum coefficients, each in [0, 1), as a float array of the shape of ``values``."""
    return checks.array("momentum", values, low=0.0, high=1.0, high_open=True)


def curvatures(kappa, lam_max=1.0):
    r"""The two curvatures of a 2-D bowl with condition number ``kappa``.

    Parameters
    ----------
    kappa : float
        The condition number, :math:`\ge 1`.
    lam_max : float, default 1.0
        The largest curvature, > 0.

    Returns
    -------
    (float, float)
        ``(lam_min, lam_max)`` with ``lam_min = lam_max / kappa``.
    """
    kappa = checks.number("kappa", kappa, 1.0, math.inf, high_open=True)
    lam_max = checks.positive("lam_max", lam_max)
    return lam_max / kappa, lam_max


def iteration_matrix(lr, momentum, curvature):
    r"""The 2 x 2 matrix :math:`T` mapping :math:`(w_k, v_k)` to :math:`(w_{k+1}, v_{k+1})`.

    For one direction of curvature :math:`\lambda`.

    Parameters
    ----------
    lr : float
        :math:`\eta > 0`.
    momentum : float
        :math:`\mu \in [0, 1)`.
    curvature : float
        :math:`\lambda > 0`.

    Returns
    -------
    ndarray of shape (2, 2)
        Its eigenvalues are the roots of :math:`z^2 - (1 + \mu - \eta\lambda) z + \mu`.
    """
    lr = checks.positive("lr", lr)
    mu = checks.probability("momentum", momentum)
    lam = checks.positive("curvature", curvature)
    return np.array([[1.0 - lr * lam, mu], [-lr * lam, mu]])


def spectral_radius(lr, momentum, curvature_values):
    r"""Per-step convergence factor of heavy-ball momentum on a quadratic, for many settings.

    Parameters
    ----------
    lr : array_like of any shape
        Learning rates :math:`\eta > 0`.
    momentum : array_like, broadcastable with ``lr``
        Momentum coefficients :math:`\mu \in [0, 1)`.
    curvature_values : float or array_like of shape (k,)
        The curvatures :math:`\lambda_i > 0` of the bowl.

    Returns
    -------
    ndarray of the broadcast shape of ``lr`` and ``momentum``
        :math:`\max_i \rho(T_i)`, the factor by which the error shrinks per step in the long
        run.  Values >= 1 mean the iteration does not converge (> 1: it diverges).
    """
    lr = checks.array("lr", lr, low=0.0, low_open=True)
    mu = _momenta(momentum)
    lams = np.atleast_1d(checks.array("curvature_values", curvature_values, low=0.0,
                                      low_open=True))
    if lams.ndim != 1 or lams.size == 0:
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

    Parameters
    ----------
    momentum : float or array_like of any shape
        :math:`\mu \in [0, 1)`.
    lam_max : float
        The largest curvature, > 0.

    Returns
    -------
    ndarray of the shape of ``momentum``
    """
    mu = _momenta(momentum)
    lam_max = checks.positive("lam_max", lam_max)
    return 2.0 * (1.0 + mu) / lam_max


def polyak_optimum(lam_min, lam_max):
    r"""Polyak's best heavy-ball setting for curvatures in ``[lam_min, lam_max]``.

    Parameters
    ----------
    lam_min, lam_max : float
        The smallest and largest curvature, :math:`0 < \lambda_{\min} \le \lambda_{\max}`.

    Returns
    -------
    (float, float, float)
        ``(lr, momentum, rate)``:
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
    r"""The best plain gradient-descent step for curvatures in ``[lam_min, lam_max]``.

    :math:`\eta = 2/(\lambda_{\max} + \lambda_{\min})` makes the stiffest and the flattest
    directions shrink equally fast, at :math:`\rho = (\kappa - 1)/(\kappa + 1)` per step.

    Parameters
    ----------
    lam_min, lam_max : float
        The smallest and largest curvature, :math:`0 < \lambda_{\min} \le \lambda_{\max}`.

    Returns
    -------
    (float, float)
        ``(lr, rate)``.
    """
    lam_min, lam_max = _curvature_pair(lam_min, lam_max)
    kappa = lam_max / lam_min
    return 2.0 / (lam_max + lam_min), (kappa - 1.0) / (kappa + 1.0)


def steps_per_decade(rate):
    r"""Steps needed to shrink the error tenfold at per-step factor ``rate``.

    That is :math:`\ln 10 / (-\ln\rho)`.

    Parameters
    ----------
    rate : float or array_like of any shape
        Per-step factors :math:`\rho \ge 0`.

    Returns
    -------
    ndarray of the shape of ``rate``
        ``inf`` where ``rate`` >= 1 (no convergence) and 0 where ``rate`` is 0 (exact in one
        step).
    """
    rate = checks.array("rate", rate, finite=False, low=0.0)
    with np.errstate(divide="ignore"):
        log_rate = np.log(np.where(rate < 1.0, rate, 1.0))
        return np.where(rate < 1.0, math.log(10.0) / -log_rate, np.inf)


def rate_map(kappa, lrs, momenta, lam_max=1.0):
    r"""The convergence factor over a grid of (learning rate, momentum) on a 2-D bowl.

    Parameters
    ----------
    kappa : float
        Condition number :math:`\ge 1` of the bowl
        :math:`\tfrac12(\lambda_{\min} x^2 + \lambda_{\max} y^2)`.
    lrs : array_like of shape (n,)
        Learning rates > 0.
    momenta : array_like of shape (m,)
        Momentum coefficients in [0, 1).
    lam_max : float, default 1.0
        The largest curvature (the smallest is ``lam_max / kappa``).

    Returns
    -------
    ndarray of shape (m, n)
        Entry ``[j, i]`` is the spectral radius at ``(lrs[i], momenta[j])`` (rows follow the
        momentum, ready for ``imshow`` or ``pcolormesh``).
    """
    lams = curvatures(kappa, lam_max)
    lrs = checks.array("lrs", lrs, ndim=1, finite=False)
    momenta = checks.array("momenta", momenta, ndim=1, finite=False)
    return spectral_radius(lrs[None, :], momenta[:, None], lams)


def best_on_grid(rates, lrs, momenta):
    """The grid point with the smallest convergence factor.

    Parameters
    ----------
    rates : array_like of shape (m, n)
        From :func:`rate_map`.
    lrs : array_like of shape (n,)
        Its learning rates.
    momenta : array_like of shape (m,)
        Its momentum coefficients.

    Returns
    -------
    (float, float, float)
        ``(lr, momentum, rate)`` at the smallest entry of ``rates``.
    """
    rates = checks.array("rates", rates, finite=False)
    if rates.shape != (len(momenta), len(lrs)):
        raise ValueError(
            f"rates must have shape (len(momenta), len(lrs)) = {(len(momenta), len(lrs))}, "
            f"got {rates.shape}"
        )
    j, i = np.unravel_index(int(np.argmin(rates)), rates.shape)
    return float(lrs[i]), float(momenta[j]), float(rates[j, i])

r"""Self-normalisation: how SELU maps the mean and variance of a layer's inputs to its outputs.

Klambauer et al. (2017) ask what a layer does to the *statistics* of its inputs.  Let the
inputs :math:`x_i` of a unit have mean :math:`\mu` and variance :math:`\nu`, and write
:math:`\omega = \sum_i w_i` and :math:`\tau = \sum_i w_i^2` for its weights.  By the central
limit theorem the unit's pre-activation :math:`z = \sum_i w_i x_i` is close to Gaussian,

.. math::

    z \sim \mathcal N(\mu\omega,\ \nu\tau),

so the mean and variance of its output :math:`f(z)` are two Gaussian integrals, functions of
:math:`(\mu, \nu)`: the **moment map** :math:`g(\mu, \nu) = (\tilde\mu, \tilde\nu)`
(:func:`moment_map`).  For :math:`f = \mathrm{selu}` the integrals have closed forms in the
normal distribution function :math:`\Phi` (:func:`gaussian_moments`).  A layer after layer
of the same kind iterates the map; a **fixed point** :math:`g(\mu^*, \nu^*) = (\mu^*, \nu^*)`
that attracts its neighbours is what "self-normalising" means.  Klambauer et al. chose SELU's
constants :math:`\alpha` and :math:`\lambda` so that :math:`(0, 1)` is that fixed point for
weights with :math:`\omega = 0` and :math:`\tau = 1` (:func:`selu_constants` solves for them).

In one network with random weights :math:`\omega` differs from unit to unit: LeCun's weights
(variance :math:`1/n`) give :math:`\omega` variance 1 and :math:`\tau \approx 1`.  Pooled
over the units, a layer's pre-activations then have mean 0 and variance
:math:`\tau(\nu + \mu^2)` -- the previous layer's mean turns into variance.  That is
:func:`network_map`; it has the same fixed point :math:`(0, 1)`.

The maps work with Python floats and use only :mod:`math`; :func:`measured` takes the same
statistics in a random network, to compare.
"""

import math

import numpy as np

from lib import checks
from lib.activations import SELU_ALPHA, SELU_SCALE
from lib.initializers import Scaled
from lib.propagation import propagate

__all__ = [
    "fixed_point",
    "gaussian_moments",
    "iterate",
    "jacobian",
    "measured",
    "moment_map",
    "network_map",
    "selu_constants",
]


def _Phi(x):
    """The standard normal distribution function."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def _phi(x):
    """The standard normal density."""
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def gaussian_moments(mean, var, alpha=SELU_ALPHA, scale=SELU_SCALE):
    r"""Mean and variance of :math:`f(z)` for :math:`z \sim \mathcal N(m, s^2)`, in closed form.

    :math:`f(z) = \lambda z` for :math:`z > 0` and :math:`\lambda\alpha(e^z - 1)` otherwise:
    SELU with the default constants, ELU with ``scale=1``, ReLU with ``alpha=0, scale=1``.
    With :math:`m` = ``mean``, :math:`s^2` = ``var`` and :math:`c = m/s`,

    .. math::

        \mathbb E[z;\, z > 0] &= m\Phi(c) + s\varphi(c), \qquad
        \mathbb E[z^2;\, z > 0] = (m^2 + s^2)\Phi(c) + ms\varphi(c), \\
        \mathbb E[e^{kz};\, z \le 0] &= e^{km + k^2 s^2/2}\, \Phi\big(-(m + k s^2)/s\big),

    where :math:`\mathbb E[X; A]` is the expectation of :math:`X` over the event :math:`A`
    only, and then :math:`\mathbb E f = \lambda(\mathbb E[z; z>0] + \alpha\,\mathbb E[e^z - 1;
    z \le 0])` and :math:`\mathbb E f^2 = \lambda^2(\mathbb E[z^2; z>0] + \alpha^2\,\mathbb
    E[(e^z - 1)^2; z \le 0])`.

    Parameters
    ----------
    mean : float
        :math:`m`.
    var : float
        :math:`s^2 > 0`.
    alpha, scale : float
        :math:`\alpha \ge 0` and :math:`\lambda > 0`.

    Returns
    -------
    (float, float)
        :math:`(\mathbb E f(z),\ \operatorname{Var} f(z))`.
    """
    m = checks.number("mean", mean)
    v = checks.positive("var", var)
    alpha = checks.non_negative("alpha", alpha)
    scale = checks.positive("scale", scale)
    s = math.sqrt(v)
    c = m / s
    above, below = _Phi(c), _Phi(-c)
    z1 = m * above + s * _phi(c)                       # E[z; z > 0]
    z2 = (m * m + v) * above + m * s * _phi(c)         # E[z^2; z > 0]

    def exp_below(k):                                  # E[e^{kz}; z <= 0]
        a = (m + k * v) / s
        if a < 10.0:
            return math.exp(k * m + 0.5 * k * k * v) * _Phi(-a)
        # far tail: Phi(-a) = phi(a)/a (1 - 1/a^2 + 3/a^4 - ...), and the exponentials cancel
        series = 1.0 - 1.0 / a**2 + 3.0 / a**4 - 15.0 / a**6 + 105.0 / a**8
        return math.exp(-0.5 * m * m / v) / (a * math.sqrt(2.0 * math.pi)) * series

    e1, e2 = exp_below(1.0), exp_below(2.0)
    first = scale * (z1 + alpha * (e1 - below))
    second = scale * scale * (z2 + alpha * alpha * (e2 - 2.0 * e1 + below))
    return first, max(second - first * first, 0.0)


def moment_map(mu, nu, omega=0.0, tau=1.0, alpha=SELU_ALPHA, scale=SELU_SCALE):
    r"""Klambauer et al.'s map :math:`(\mu, \nu) \mapsto (\tilde\mu, \tilde\nu)` for one unit.

    The unit's inputs have mean :math:`\mu` and variance :math:`\nu`; its weights have sum
    :math:`\omega` and sum of squares :math:`\tau`; its pre-activation is taken to be
    :math:`\mathcal N(\mu\omega, \nu\tau)`, and the map returns the mean and variance of its
    output (:func:`gaussian_moments`).

    Parameters
    ----------
    mu : float
    nu : float
        > 0.
    omega : float, default 0.0
    tau : float, default 1.0
        > 0.
    alpha, scale : float
        The activation's constants (default SELU's).

    Returns
    -------
    (float, float)
    """
    nu = checks.positive("nu", nu)
    tau = checks.positive("tau", tau)
    return gaussian_moments(checks.number("mu", mu) * checks.number("omega", omega), nu * tau,
                            alpha, scale)


def network_map(mu, nu, tau=1.0, alpha=SELU_ALPHA, scale=SELU_SCALE):
    r"""The same map pooled over the units of a layer with random weights.

    With weights of mean 0 and variance :math:`\tau/n` (:math:`\tau = 1`: LeCun's), the
    pre-activations of the :math:`n` units, pooled, have mean 0 and variance
    :math:`\tau(\nu + \mu^2)`, so

    .. math::

        (\tilde\mu, \tilde\nu) = \big(\mathbb E f(z),\ \operatorname{Var} f(z)\big), \qquad
        z \sim \mathcal N\big(0,\ \tau(\nu + \mu^2)\big).

    Parameters
    ----------
    mu : float
    nu : float
        > 0 (or 0 with ``mu`` not 0).
    tau : float, default 1.0
        > 0: :math:`n` times the weights' variance.
    alpha, scale : float

    Returns
    -------
    (float, float)
    """
    mu = checks.number("mu", mu)
    nu = checks.non_negative("nu", nu)
    tau = checks.positive("tau", tau)
    return gaussian_moments(0.0, tau * (nu + mu * mu), alpha, scale)


def iterate(mu, nu, layers, network=False, **kwargs):
    r"""The statistics of ``layers`` layers in a row: the map applied again and again.

    Parameters
    ----------
    mu, nu : float
        The input's mean and variance.
    layers : int
        How many times to apply the map, >= 0.
    network : bool, default False
        Use :func:`network_map` (random weights, pooled) instead of :func:`moment_map`.
    **kwargs
        Passed to the map (``omega``, ``tau``, ``alpha``, ``scale``).

    Returns
    -------
    ndarray of shape (layers + 1, 2)
        Row :math:`l` is :math:`(\mu_l, \nu_l)`; row 0 the input.  Once a variance overflows,
        the rows from there on are inf.
    """
    layers = checks.integer("layers", layers, 0)
    step = network_map if network else moment_map
    out = np.full((layers + 1, 2), np.inf)
    out[0] = mu, nu
    for l in range(1, layers + 1):
        try:
            mu, nu = step(mu, nu, **kwargs)
        except (OverflowError, ValueError):
            break
        if not (math.isfinite(mu) and math.isfinite(nu)):
            break
        out[l] = mu, nu
    return out


def jacobian(mu, nu, h=1e-6, **kwargs):
    r"""The Jacobian of :func:`moment_map` at :math:`(\mu, \nu)`, by central differences.

    Parameters
    ----------
    mu, nu : float
    h : float, default 1e-6
        The step.
    **kwargs
        Passed to :func:`moment_map`.

    Returns
    -------
    ndarray of shape (2, 2)
        :math:`J_{ij} = \partial g_i/\partial (\mu, \nu)_j`.
    """
    h = checks.positive("h", h)
    J = np.empty((2, 2))
    for j, (dm, dn) in enumerate([(h, 0.0), (0.0, h)]):
        up = moment_map(mu + dm, nu + dn, **kwargs)
        down = moment_map(mu - dm, nu - dn, **kwargs)
        J[:, j] = (np.array(up) - np.array(down)) / (2.0 * h)
    return J


def fixed_point(mu=0.5, nu=1.5, warmup=10, tol=1e-12, max_iter=50, **kwargs):
    r"""An attracting fixed point of :func:`moment_map`, found from :math:`(\mu, \nu)`.

    First the map is applied ``warmup`` times, as ``warmup`` layers would apply it, which
    carries the point towards a fixed point that attracts; then Newton's method solves
    :math:`g(\mu, \nu) - (\mu, \nu) = 0` to full precision, with the Jacobian of
    :func:`jacobian` and steps halved when they would make the variance negative.  (Newton's
    method alone also finds repelling fixed points, such as the trivial :math:`\nu = 0`.)

    Parameters
    ----------
    mu, nu : float
        The starting point.
    warmup : int, default 10
        Applications of the map before Newton's method, >= 0.
    tol : float, default 1e-12
        Stop when a Newton step is shorter than this.
    max_iter : int, default 50
    **kwargs
        Passed to :func:`moment_map` (``omega``, ``tau``, ``alpha``, ``scale``).

    Returns
    -------
    (float, float)
        :math:`(\mu^*, \nu^*)`.

    Raises
    ------
    ValueError
        If no fixed point is reached within ``max_iter`` Newton steps (for example because
        the variance grows without bound).
    """
    warmup = checks.integer("warmup", warmup, 0)
    tol = checks.positive("tol", tol)
    max_iter = checks.integer("max_iter", max_iter, 1)
    p = iterate(mu, nu, warmup, **kwargs)[-1]
    if not np.all(np.isfinite(p)):
        raise ValueError(f"mu, nu must lead to a fixed point, got a variance that overflows "
                         f"from ({mu}, {nu})")
    for _ in range(max_iter):
        residual = np.array(moment_map(*p, **kwargs)) - p
        step = np.linalg.solve(jacobian(*p, **kwargs) - np.eye(2), -residual)
        while p[1] + step[1] <= 0.5 * p[1]:
            step = step / 2
        p = p + step
        if np.linalg.norm(step) < tol:
            return float(p[0]), float(p[1])
    raise ValueError(f"max_iter must be enough for Newton's method to converge, got {max_iter}")


def selu_constants():
    r"""The :math:`\alpha` and :math:`\lambda` that make :math:`(0, 1)` a fixed point.

    For :math:`z \sim \mathcal N(0, 1)` (that is :math:`\mu = 0, \nu = 1, \omega = 0,
    \tau = 1`) the output must have mean 0 and second moment 1.  The mean,
    :math:`\lambda\big(\tfrac{1}{\sqrt{2\pi}} + \alpha(\sqrt e\,\Phi(-1) - \tfrac12)\big) = 0`,
    fixes :math:`\alpha`; the second moment,
    :math:`\lambda^2\big(\tfrac12 + \alpha^2(e^2\Phi(-2) - 2\sqrt e\,\Phi(-1) +
    \tfrac12)\big) = 1`, then fixes :math:`\lambda`.

    Returns
    -------
    (float, float)
        :math:`(\alpha, \lambda)`, about (1.6733, 1.0507).
    """
    sqrt_e = math.exp(0.5)
    alpha = (1.0 / math.sqrt(2.0 * math.pi)) / (0.5 - sqrt_e * _Phi(-1.0))
    below = math.exp(2.0) * _Phi(-2.0) - 2.0 * sqrt_e * _Phi(-1.0) + 0.5
    scale = 1.0 / math.sqrt(0.5 + alpha * alpha * below)
    return alpha, scale


def measured(mean, var, depth, tau=1.0, width=100, n_samples=500, seed=0):
    r"""The mean and variance of every layer of one random SELU network, measured.

    Inputs drawn from :math:`\mathcal N(\text{mean}, \text{var})` go through ``depth``
    bias-free layers of ``width`` SELU units with weights of variance :math:`\tau/n_\text{in}`
    (:func:`lib.propagation.propagate`); the statistics pool all units and inputs of a layer,
    as :func:`network_map` predicts them.

    Parameters
    ----------
    mean : float
    var : float
        > 0.
    depth : int
        >= 1.
    tau : float, default 1.0
        > 0: 1 for LeCun's weights, 2 for He's.
    width, n_samples, seed : int

    Returns
    -------
    ndarray of shape (depth + 1, 2)
        Row :math:`l` is the (mean, variance) of layer :math:`l`'s activations; row 0 the
        input's.  Layers that overflow give inf or NaN.
    """
    mean = checks.number("mean", mean)
    var = checks.positive("var", var)
    tau = checks.positive("tau", tau)
    width = checks.integer("width", width, 1)
    n_samples = checks.integer("n_samples", n_samples, 1)
    x = mean + math.sqrt(var) * np.random.default_rng(seed).standard_normal((n_samples, width))
    prop = propagate("selu", Scaled("lecun", math.sqrt(tau)), depth=depth, width=width, x=x,
                     seed=seed, backward=False)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.array([[o.mean(), o.var()] for o in prop.outputs])

r"""Two-dimensional test surfaces, and the path an update rule takes across them.

A network's loss lives in millions of dimensions; these functions of two variables are where
we can *see* what an update rule does: SGD zig-zagging across the valley of
:math:`x^2/20 + y^2`, momentum overshooting, Adam marching straight on, every rule stalling (or
not) at a saddle.  Each surface has its analytic gradient beside its formula, so an optimizer
runs on it exactly as on a network, with ``params = {"xy": array([x, y])}``.

==============  ==============================================================  ===========
name            f(x, y)                                                         minima
==============  ==============================================================  ===========
``quadratic``   :math:`x^2/20 + y^2` (the book's elongated bowl)                (0, 0)
``rotated``     the same bowl with its axes turned by 45 degrees                (0, 0)
``beale``       :math:`\sum_{i=1}^3 (c_i - x + x y^i)^2`, c = 1.5, 2.25, 2.625  (3, 0.5)
``rosenbrock``  :math:`(1 - x)^2 + 100 (y - x^2)^2` (a curved, flat valley)     (1, 1)
``saddle``      :math:`x^2 - y^2`                                               none
``himmelblau``  :math:`(x^2 + y - 11)^2 + (x + y^2 - 7)^2`                      four, f = 0
==============  ==============================================================  ===========

``trajectory(optimizer, surface, start, steps)`` returns the ``(steps + 1, 2)`` array of
iterates; ``noise`` adds seeded Gaussian noise to every gradient, the way a mini-batch gradient
scatters around the full one.  :func:`run_rules` runs several rules from one start,
:func:`diverged_at` finds where a path left, :func:`loss_gap` measures how far above the
minimum it is, and :func:`bowl` makes the bowl of any condition number.
A rule with too large a step diverges; the path then stops cleanly: once an iterate is
not finite or leaves a far box around the plotting bounds, it and the remaining rows are NaN
(matplotlib draws nothing there), and no NumPy warning reaches the reader.
"""

import math

import numpy as np

from lib import checks
from lib.optimizers import make_optimizer

__all__ = [
    "FAR",
    "SURFACES",
    "Surface",
    "bowl",
    "diverged_at",
    "get_surface",
    "loss_gap",
    "run_rules",
    "trajectory",
]

FAR = 100.0
"""A path is stopped when it leaves the plotting bounds scaled by ``FAR`` about their centre."""


class Surface:
    r"""A function :math:`f(x, y)` with its analytic gradient and what is needed to plot it.

    Methods ``f(x, y)`` and ``grad(x, y)`` accept floats or arrays; with arrays both gradient
    components have the broadcast shape of ``x`` and ``y``.

    Parameters
    ----------
    name : str
        Short lower-case name, the key in ``SURFACES``.
    f : callable
        ``f(x, y)`` -> value; must work on floats and on broadcastable arrays.
    grad : callable
        ``grad(x, y)`` -> ``(df/dx, df/dy)``.
    bounds : ((float, float), (float, float))
        ``((xmin, xmax), (ymin, ymax))``, the window to plot.
    minima : array-like of shape (k, 2)
        The global minima (k may be 0, as for the saddle).
    start : (float, float)
        A suggested starting point that shows the surface's character.
    formula : str
        LaTeX for :math:`f`, for titles.
    log_scale : bool
        True when the contours read better with logarithmically spaced levels.
    """

    def __init__(self, name, f, grad, bounds, minima, start, formula="", log_scale=False):
        self.name = name
        self._f = f
        self._grad = grad
        (x0, x1), (y0, y1) = bounds
        if not (x0 < x1 and y0 < y1):
            raise ValueError(
                f"bounds must be ((xmin, xmax), (ymin, ymax)) with min < max, got {bounds}"
            )
        self.bounds = ((float(x0), float(x1)), (float(y0), float(y1)))
        self.minima = np.asarray(minima, dtype=np.float64).reshape(-1, 2)
        self.start = (float(start[0]), float(start[1]))
        self.formula = formula
        self.log_scale = log_scale

    def f(self, x, y):
        """The value :math:`f(x, y)`; ``x``, ``y``: floats or broadcastable arrays."""
        return self._f(x, y)

    def grad(self, x, y):
        """The gradient ``(df/dx, df/dy)`` at ``(x, y)``; arrays come back broadcast."""
        dfdx, dfdy = self._grad(x, y)
        shape = np.broadcast_shapes(np.shape(x), np.shape(y))
        if shape:
            dfdx = np.broadcast_to(dfdx, shape).copy()
            dfdy = np.broadcast_to(dfdy, shape).copy()
        return dfdx, dfdy

    @property
    def far_box(self):
        """``((xmin, xmax), (ymin, ymax))``: the bounds scaled by ``FAR`` about their centre."""
        return tuple(
            ((lo + hi) / 2 - FAR * (hi - lo) / 2, (lo + hi) / 2 + FAR * (hi - lo) / 2)
            for lo, hi in self.bounds
        )

    def mesh(self, n=200):
        """A grid over ``bounds`` for contour plots: ``X, Y, Z``, each of shape (n, n)."""
        (x0, x1), (y0, y1) = self.bounds
        x, y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
        return x, y, self.f(x, y)

    def __repr__(self):
        minima = ", ".join(f"({x:.4g}, {y:.4g})" for x, y in self.minima)
        return (
            f"Surface({self.name!r}, bounds={self.bounds}, minima=[{minima}], start={self.start})"
        )


# ---- the surfaces: each function sits next to its gradient -----------------------------------


def _quadratic(x, y):
    return x * x / 20.0 + y * y


def _quadratic_grad(x, y):
    return x / 10.0, 2.0 * y


# The same bowl turned by 45 degrees: f(x, y) = q(u, v) with u = (x + y)/sqrt(2) along the flat
# direction and v = (y - x)/sqrt(2) across it; the chain rule rotates the gradient back.
_R = 1.0 / math.sqrt(2.0)


def _rotated(x, y):
    return _quadratic(_R * (x + y), _R * (y - x))


def _rotated_grad(x, y):
    du, dv = _quadratic_grad(_R * (x + y), _R * (y - x))
    return _R * (du - dv), _R * (du + dv)


# Beale: f = sum_i a_i^2 with a_i = c_i - x + x y^i, so df/dx = sum 2 a_i (y^i - 1) and
# df/dy = sum 2 a_i i x y^(i-1).
_BEALE_C = (1.5, 2.25, 2.625)


def _beale(x, y):
    return sum((c - x + x * y**i) ** 2 for i, c in enumerate(_BEALE_C, start=1))


def _beale_grad(x, y):
    dfdx = dfdy = 0.0
    for i, c in enumerate(_BEALE_C, start=1):
        a = c - x + x * y**i
        dfdx = dfdx + 2.0 * a * (y**i - 1.0)
        dfdy = dfdy + 2.0 * a * i * x * y ** (i - 1)
    return dfdx, dfdy


def _rosenbrock(x, y):
    return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2


def _rosenbrock_grad(x, y):
    return -2.0 * (1.0 - x) - 400.0 * x * (y - x * x), 200.0 * (y - x * x)


def _saddle(x, y):
    return x * x - y * y


def _saddle_grad(x, y):
    return 2.0 * x, -2.0 * y


# Himmelblau: f = a^2 + b^2 with a = x^2 + y - 11 and b = x + y^2 - 7.
def _himmelblau(x, y):
    return (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2


def _himmelblau_grad(x, y):
    a = x * x + y - 11.0
    b = x + y * y - 7.0
    return 4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b


SURFACES = {
    s.name: s
    for s in (
        Surface(
            "quadratic",
            _quadratic,
            _quadratic_grad,
            bounds=((-10.0, 10.0), (-5.0, 5.0)),
            minima=[(0.0, 0.0)],
            start=(-7.0, 2.0),
            formula=r"f(x, y) = \frac{x^2}{20} + y^2",
        ),
        Surface(
            "rotated",
            _rotated,
            _rotated_grad,
            bounds=((-8.0, 8.0), (-8.0, 8.0)),
            minima=[(0.0, 0.0)],
            start=(_R * (-7.0 - 2.0), _R * (2.0 - 7.0)),  # the bowl's start (-7, 2), turned
            formula=r"f(x, y) = \frac{(x + y)^2}{40} + \frac{(y - x)^2}{2}",
        ),
        Surface(
            "beale",
            _beale,
            _beale_grad,
            bounds=((-4.5, 4.5), (-4.5, 4.5)),
            minima=[(3.0, 0.5)],
            start=(1.0, 1.5),
            formula=r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
            log_scale=True,
        ),
        Surface(
            "rosenbrock",
            _rosenbrock,
            _rosenbrock_grad,
            bounds=((-2.0, 2.0), (-1.0, 3.0)),
            minima=[(1.0, 1.0)],
            start=(-1.2, 1.0),
            formula=r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
            log_scale=True,
        ),
        Surface(
            "saddle",
            _saddle,
            _saddle_grad,
            bounds=((-2.0, 2.0), (-2.0, 2.0)),
            minima=np.empty((0, 2)),
            start=(-1.5, 1e-3),
            formula=r"f(x, y) = x^2 - y^2",
        ),
        Surface(
            "himmelblau",
            _himmelblau,
            _himmelblau_grad,
            bounds=((-5.0, 5.0), (-5.0, 5.0)),
            minima=[
                (3.0, 2.0),
                (-2.805118086952745, 3.131312518250573),
                (-3.779310253377747, -3.283185991286169),
                (3.584428340330492, -1.848126526964404),
            ],
            start=(0.0, -1.0),
            formula=r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
            log_scale=True,
        ),
    )
}


def get_surface(surface):
    """Return ``surface`` itself if it is a ``Surface``, else the one named so in ``SURFACES``.

    Parameters
    ----------
    surface : Surface or str
        A surface, or its name (in any case).

    Returns
    -------
    Surface

    Raises
    ------
    ValueError
        ``"surface must be one of 'quadratic', ..., got <surface>"``.
    """
    if isinstance(surface, Surface):
        return surface
    if isinstance(surface, str) and surface.lower() in SURFACES:
        return SURFACES[surface.lower()]
    checks.one_of("surface", surface, SURFACES)  # raises: a Surface or one of the names


def trajectory(optimizer, surface, start=None, steps=100, noise=0.0, seed=0):
    """Run an update rule on a surface and return the iterates.

    The optimizer is ``reset()`` first, so every path starts from a fresh state; afterwards
    ``optimizer.state["xy"]`` holds the state at the end of the path.

    Parameters
    ----------
    optimizer : optimizer from ``lib.optimizers``
        Any object with ``reset()`` and ``update(params, grads)``.
    surface : Surface or str
        The surface, or its name in ``SURFACES``.
    start : (float, float), optional
        The first iterate; default ``surface.start``.
    steps : int, default 100
        Number of updates.
    noise : float, default 0
        Standard deviation of Gaussian noise added to each component of every gradient, as a
        mini-batch gradient scatters around the full one.
    seed : int, default 0
        Seeds the noise: rules run with the same seed see the same noise.

    Returns
    -------
    ndarray of shape (steps + 1, 2), float64
        Row ``i`` is ``(x, y)`` after ``i`` updates (row 0 is ``start``).  If the iterate stops
        being finite or leaves ``surface.far_box``, that row and all later ones are NaN.
    """
    surface = get_surface(surface)
    steps = checks.integer("steps", steps, 0)
    noise = checks.non_negative("noise", noise)
    xy = np.array(surface.start if start is None else start, dtype=np.float64)
    if xy.shape != (2,) or not np.all(np.isfinite(xy)):
        raise ValueError(f"start must be two finite numbers (x0, y0), got {start!r}")
    kicks = noise * np.random.default_rng(seed).standard_normal((steps, 2)) if noise else None
    (xlo, xhi), (ylo, yhi) = surface.far_box
    path = np.full((steps + 1, 2), np.nan)
    path[0] = xy
    grad = np.empty(2)
    params, grads = {"xy": xy}, {"xy": grad}
    optimizer.reset()
    # A diverging rule overflows on purpose: the warnings would only repeat what the NaN rows say.
    with np.errstate(all="ignore"):
        for i in range(1, steps + 1):
            grad[:] = surface.grad(xy[0], xy[1])
            if kicks is not None:
                grad += kicks[i - 1]
            optimizer.update(params, grads)
            x, y = xy
            if not (xlo <= x <= xhi and ylo <= y <= yhi):  # False for NaN too
                break
            path[i] = xy
    return path


def run_rules(surface, settings, start=None, steps=30, noise=0.0, seed=0):
    """Run several rules from one start point; return ``{rule: path}``.

    Parameters
    ----------
    surface : Surface or str
        The surface, or its name in ``SURFACES``.
    settings : dict[str, dict]
        Rule name -> keyword hyperparameters (``{}`` for the defaults), e.g.
        ``{"sgd": {"lr": 0.95}, "adam": {"lr": 0.3}}``.
    start : (float, float), optional
        Default the surface's own start.
    steps : int
        Number of updates.
    noise, seed : float, int
        Gradient noise as in :func:`trajectory`; every rule sees the same noise.

    Returns
    -------
    dict[str, ndarray of shape (steps + 1, 2)]
        The paths of :func:`trajectory`, keyed by lower-case rule name.
    """
    surface = get_surface(surface)
    if not isinstance(settings, dict):
        raise ValueError(f"settings must be a dict rule -> hyperparameters, got {settings!r}")
    return {
        name.lower(): trajectory(make_optimizer(name, **hyper), surface, start=start,
                                 steps=steps, noise=noise, seed=seed)
        for name, hyper in settings.items()
    }


def diverged_at(path):
    """The step at which a path from :func:`trajectory` diverged, or None.

    Parameters
    ----------
    path : array_like of shape (steps + 1, 2)

    Returns
    -------
    int or None
        The index of the path's first row that is not finite.
    """
    bad = np.flatnonzero(~np.all(np.isfinite(np.asarray(path, dtype=float)), axis=1))
    return int(bad[0]) if bad.size else None


def loss_gap(surface, path):
    r"""How far above the minimum a path is: :math:`f(x_k, y_k) - f_{\min}` for every row.

    For a surface without a minimum (the saddle) this is :math:`f` itself.

    Parameters
    ----------
    surface : Surface or str
    path : array_like of shape (steps + 1, 2)

    Returns
    -------
    ndarray of shape (steps + 1,)
        NaN rows of ``path`` give NaN.
    """
    surface = get_surface(surface)
    path = np.asarray(path, dtype=float)
    with np.errstate(all="ignore"):
        values = surface.f(path[:, 0], path[:, 1])
        if len(surface.minima):
            values = values - float(np.min(surface.f(surface.minima[:, 0], surface.minima[:, 1])))
    return values


def bowl(kappa, lam_max=1.0):
    r"""The bowl :math:`\tfrac12(\lambda_{\min} x^2 + \lambda_{\max} y^2)`, started at (1, 1).

    The book's bowl :math:`x^2/20 + y^2` is ``bowl(20, lam_max=2)``; :mod:`lib.quadratic`
    analyses these bowls in closed form.

    Parameters
    ----------
    kappa : float
        The condition number :math:`\kappa = \lambda_{\max}/\lambda_{\min} \ge 1`.
    lam_max : float, default 1.0
        :math:`\lambda_{\max} > 0`.

    Returns
    -------
    Surface
    """
    kappa = checks.number("kappa", kappa, 1.0, math.inf, high_open=True)
    lam_max = checks.positive("lam_max", lam_max)
    lam_min = lam_max / kappa
    return Surface(
        f"bowl (kappa={kappa:g})",
        lambda x, y: 0.5 * (lam_min * x * x + lam_max * y * y),
        lambda x, y: (lam_min * x, lam_max * y),
        bounds=((-1.5, 1.5), (-1.5, 1.5)),
        minima=[(0.0, 0.0)],
        start=(1.0, 1.0),
    )

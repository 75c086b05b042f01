r"""Two-dimensional test surfaces, and the path an update rule takes across them.

A network's loss lives in millions of dimensions; these functions of two variables are where
we can *see* what an update rule does: SGD zig-zagging across the valley of
:math:`x^2/20 + y^2`, momentum overshooting, Adam marching straight on, every rule stalling (or
not) at a saddle.  Each surface has its analytic gradient beside its formula, so an optimizer
runs on it exactly as on a network, with ``params = {"xy": array([x, y])}``.

================  ===========================================================  ==============
name              f(x, y)                                                      minima
================  ===========================================================  ==============
``quadratic``     :math:`x^2/20 + y^2` (the book's elongated bowl)             (0, 0)
``beale``         :math:`\sum_{i=1}^3 (c_i - x + x y^i)^2`, c = 1.5, 2.25, 2.625  (3, 0.5)
``rosenbrock``    :math:`(1 - x)^2 + 100 (y - x^2)^2` (a curved, flat valley)  (1, 1)
``saddle``        :math:`x^2 - y^2`                                            none
``himmelblau``    :math:`(x^2 + y - 11)^2 + (x + y^2 - 7)^2`                   four, f = 0
================  ===========================================================  ==============

``trajectory(optimizer, surface, start, steps)`` returns the ``(steps + 1, 2)`` array of
iterates.  A rule with too large a step diverges; the path then stops cleanly: once an iterate is
not finite or leaves a far box around the plotting bounds, it and the remaining rows are NaN
(matplotlib draws nothing there), and no NumPy warning reaches the reader.
"""

import numpy as np

__all__ = ["FAR", "SURFACES", "Surface", "get_surface", "trajectory"]

FAR = 100.0
"""A path is stopped when it leaves the plotting bounds scaled by ``FAR`` about their centre."""


class Surface:
    r"""A function :math:`f(x, y)` with its analytic gradient and what is needed to plot it.

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

    Methods ``f(x, y)`` and ``grad(x, y)`` accept floats or arrays; with arrays both gradient
    components have the broadcast shape of ``x`` and ``y``.
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
    """Return ``surface`` itself if it is a ``Surface``, else the one named so in ``SURFACES``."""
    if isinstance(surface, Surface):
        return surface
    if isinstance(surface, str) and surface.lower() in SURFACES:
        return SURFACES[surface.lower()]
    raise ValueError(
        f"unknown surface {surface!r}; pass a Surface or one of: {', '.join(SURFACES)}"
    )


def trajectory(optimizer, surface, start=None, steps=100):
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

    Returns
    -------
    ndarray of shape (steps + 1, 2), float64
        Row ``i`` is ``(x, y)`` after ``i`` updates (row 0 is ``start``).  If the iterate stops
        being finite or leaves ``surface.far_box``, that row and all later ones are NaN.
    """
    surface = get_surface(surface)
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    xy = np.array(surface.start if start is None else start, dtype=np.float64)
    if xy.shape != (2,) or not np.all(np.isfinite(xy)):
        raise ValueError(f"start must be two finite numbers (x0, y0), got {start!r}")
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
            optimizer.update(params, grads)
            x, y = xy
            if not (xlo <= x <= xhi and ylo <= y <= yhi):  # False for NaN too
                break
            path[i] = xy
    return path

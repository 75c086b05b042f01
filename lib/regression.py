r"""Linear regression with two parameters: a loss small enough to see, solved exactly.

The model predicts :math:`y_i = w x_i + b` and is fitted to targets :math:`t_i` by the mean
squared error over the :math:`N` samples (or over a mini-batch :math:`\mathcal B` of them),

.. math::

    L(w, b) = \frac1N \sum_{i=1}^N (w x_i + b - t_i)^2 ,

whose gradient and Hessian are

.. math::

    \nabla L = \frac2N \sum_i (y_i - t_i) \begin{pmatrix} x_i \\ 1 \end{pmatrix}, \qquad
    H = \frac2N \sum_i \begin{pmatrix} x_i^2 & x_i \\ x_i & 1 \end{pmatrix} .

The loss is a quadratic in :math:`\theta = (w, b)`: its Hessian is the same everywhere, its
eigenvalues are the two *curvatures* :math:`\lambda_{\min} \le \lambda_{\max}`, and gradient
descent on it is the linear map :math:`\theta - \theta^\star \mapsto (I - \eta H)(\theta -
\theta^\star)` that :mod:`lib.quadratic` analyses.  Every quantity is computed from the five
averages :math:`\overline{x^2}, \bar x, \overline{xt}, \bar t, \overline{t^2}`, so the loss
over a whole grid of :math:`(w, b)` costs as little as at one point.

:class:`LinearRegression` holds the data; :meth:`LinearRegression.surface` turns the loss into
a :class:`lib.surfaces.Surface` (so that :func:`lib.surfaces.trajectory` runs full-batch
gradient descent on it and :func:`lib.plots.contour` draws it), and
:meth:`LinearRegression.minibatch_path` runs mini-batch gradient descent, one pass over a fresh
permutation of the samples per epoch, as :func:`lib.training.train` does.
"""

import numpy as np

from lib import checks
from lib.surfaces import Surface
from lib.training import minibatches

__all__ = ["LinearRegression", "make_data"]


def make_data(n=200, slope=2.0, intercept=-1.0, noise=0.5, x_mean=1.0, x_std=0.5, seed=0):
    r"""Samples of :math:`t = \text{slope}\cdot x + \text{intercept} + \text{noise}\cdot\xi`.

    :math:`x \sim \mathcal N(\text{x\_mean}, \text{x\_std}^2)` and :math:`\xi` standard normal,
    drawn from ``np.random.default_rng(seed)``.  Inputs away from 0 make :math:`w` and
    :math:`b` compete (a slope can be traded for an intercept), which gives the loss its long,
    tilted valley.

    Returns
    -------
    x, t : ndarray of shape (n,), float64
    """
    n = checks.integer("n", n, 2)
    slope = checks.number("slope", slope)
    intercept = checks.number("intercept", intercept)
    noise = checks.non_negative("noise", noise)
    x_mean = checks.number("x_mean", x_mean)
    x_std = checks.positive("x_std", x_std)
    rng = np.random.default_rng(seed)
    x = x_mean + x_std * rng.standard_normal(n)
    t = slope * x + intercept + noise * rng.standard_normal(n)
    return x, t


class LinearRegression:
    r"""The loss of :math:`y = w x + b` on the data ``(x, t)``, with its exact derivatives.

    Parameters
    ----------
    x, t : array_like of shape (N,)
        Inputs and targets, at least two samples, ``x`` not constant.  Copied.
    """

    def __init__(self, x, t):
        x = checks.array("x", x, ndim=1)
        t = checks.array("t", t, shape=(x.shape[0],))
        if x.shape[0] < 2 or np.ptp(x) == 0:
            raise ValueError(f"x must hold at least two different values, got {x!r}")
        self.x, self.t = x.copy(), t.copy()
        self._all = self._moments(None)

    @property
    def n(self):
        """The number of samples :math:`N`."""
        return self.x.shape[0]

    def _moments(self, idx):
        """The averages (x², x, xt, t, t²) over the samples ``idx`` (None: all)."""
        if idx is None:
            x, t = self.x, self.t
        else:
            idx = np.asarray(idx)
            if idx.ndim != 1 or idx.size == 0:
                raise ValueError(f"idx must be a non-empty 1-D array of indices, got {idx!r}")
            x, t = self.x[idx], self.t[idx]
        return (np.mean(x * x), np.mean(x), np.mean(x * t), np.mean(t), np.mean(t * t))

    def loss(self, w, b, idx=None):
        r"""The loss :math:`L(w, b)` over all samples, or over the samples ``idx``.

        ``w``, ``b``: floats or broadcastable arrays (a whole grid at once); the result has
        their broadcast shape.  ``idx``: array of shape (B,) of sample indices.
        """
        xx, x, xt, t, tt = self._all if idx is None else self._moments(idx)
        return w * w * xx + 2 * w * b * x + b * b - 2 * w * xt - 2 * b * t + tt

    def gradient(self, w, b, idx=None):
        r"""The gradient :math:`(\partial L/\partial w, \partial L/\partial b)` at ``(w, b)``.

        Over all samples, or the mini-batch ``idx`` (array of shape (B,)): then it is the mean
        of the :math:`B` per-sample gradients.  ``w``, ``b`` may be broadcastable arrays when
        ``idx`` is None, and are floats otherwise.
        """
        if idx is None:
            xx, x, xt, t, _ = self._all
            return 2 * (w * xx + b * x - xt), 2 * (w * x + b - t)
        idx = np.asarray(idx)
        if idx.ndim != 1 or idx.size == 0:
            raise ValueError(f"idx must be a non-empty 1-D array of indices, got {idx!r}")
        x, residual = self.x[idx], w * self.x[idx] + b - self.t[idx]  # w, b scalars here
        return 2 * float(residual @ x) / idx.size, 2 * float(residual.sum()) / idx.size

    def per_sample_gradients(self, w, b):
        r"""Every sample's own gradient :math:`2(y_i - t_i)(x_i, 1)`: shape (N, 2).

        Their mean is :meth:`gradient`; their spread is what makes a mini-batch gradient noisy.
        """
        w, b = checks.number("w", w), checks.number("b", b)
        residual = 2 * (w * self.x + b - self.t)
        return np.stack([residual * self.x, residual], axis=1)

    def hessian(self):
        r""":math:`H = 2\begin{pmatrix}\overline{x^2} & \bar x\\ \bar x & 1\end{pmatrix}`,
        shape (2, 2), the same at every point."""
        xx, x = self._all[0], self._all[1]
        return 2.0 * np.array([[xx, x], [x, 1.0]])

    def curvatures(self):
        r"""The eigenvalues of the Hessian, ``(lam_min, lam_max)`` as Python floats."""
        lam = np.linalg.eigvalsh(self.hessian())
        return float(lam[0]), float(lam[1])

    def minimum(self):
        r"""The least-squares solution :math:`(w^\star, b^\star)` as Python floats, and
        :math:`L^\star = L(w^\star, b^\star)`: a tuple ``(w, b, loss)``."""
        xx, x, xt, t, _ = self._all
        w, b = np.linalg.solve(np.array([[xx, x], [x, 1.0]]), np.array([xt, t]))
        return float(w), float(b), float(self.loss(w, b))

    def surface(self, start=(-2.0, 3.0), half_width=(4.5, 4.5)):
        """The loss as a :class:`lib.surfaces.Surface` over ``(w, b)``.

        The plotting window is centred on the minimum, ``half_width`` = (along w, along b)
        either side; ``start`` is the suggested first point.
        """
        w, b, _ = self.minimum()
        (hw, hb) = (checks.positive("half_width", h) for h in half_width)
        return Surface(
            "linear regression",
            self.loss,
            self.gradient,
            bounds=((w - hw, w + hw), (b - hb, b + hb)),
            minima=[(w, b)],
            start=start,
            formula=r"L(w, b) = \frac1N \sum_i (w x_i + b - t_i)^2",
        )

    def minibatch_path(self, lr, batch_size, steps, start=(-2.0, 3.0), seed=0, schedule=None,
                       replacement=False):
        r"""Mini-batch gradient descent :math:`\theta \leftarrow \theta - \eta_k\,\hat g_k`.

        Parameters
        ----------
        lr : float
            The learning rate :math:`\eta > 0`.
        batch_size : int
            :math:`B` in [1, N]; ``N`` is full-batch gradient descent.
        steps : int
            Number of updates.
        start : (float, float)
            The first :math:`(w, b)`.
        seed : int
            Seeds the order of the samples.
        schedule : callable, optional
            A multiplier of the learning rate per update (see :mod:`lib.schedules`):
            :math:`\eta_k = \eta\, m(k)`.
        replacement : bool
            False (the default): epochs, each a pass over a fresh permutation, as
            :func:`lib.training.minibatches` draws them.  True: every batch drawn anew with
            replacement, as in *Deep Learning from Scratch*'s training scripts.

        Returns
        -------
        ndarray of shape (steps + 1, 2)
            Row ``k`` is :math:`(w, b)` after ``k`` updates.  A path that leaves the surface's
            far box (see :mod:`lib.surfaces`) has NaN rows from there on.
        """
        lr = checks.positive("lr", lr)
        batch_size = checks.integer("batch_size", batch_size, 1, self.n)
        steps = checks.integer("steps", steps, 0)
        theta = np.array(start, dtype=float)
        if theta.shape != (2,) or not np.all(np.isfinite(theta)):
            raise ValueError(f"start must be two finite numbers (w0, b0), got {start!r}")
        rng = np.random.default_rng(seed)
        (wlo, whi), (blo, bhi) = self.surface(start=tuple(theta)).far_box
        path = np.full((steps + 1, 2), np.nan)
        path[0] = theta
        batches = iter(())
        with np.errstate(all="ignore"):
            for k in range(1, steps + 1):
                if replacement:
                    idx = rng.integers(0, self.n, batch_size)
                else:
                    idx = next(batches, None)
                    if idx is None:  # a new epoch: a fresh permutation
                        batches = minibatches(self.n, batch_size, rng)
                        idx = next(batches)
                eta = lr if schedule is None else lr * float(schedule(k - 1))
                theta = theta - eta * np.array(self.gradient(theta[0], theta[1], idx))
                if not (wlo <= theta[0] <= whi and blo <= theta[1] <= bhi):
                    break
                path[k] = theta
        return path

    def __repr__(self):
        lam_min, lam_max = self.curvatures()
        return (f"LinearRegression(N={self.n}, curvatures=({lam_min:.3g}, {lam_max:.3g}), "
                f"kappa={lam_max / lam_min:.3g})")


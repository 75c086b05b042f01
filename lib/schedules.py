r"""Learning-rate schedules: how the step size changes over the course of training.

A schedule is a function of the iteration number :math:`t = 0, 1, 2, \dots` (the number of
updates already made) that returns a **multiplier** :math:`m(t) > 0` of the learning rate.
:func:`lib.training.train` takes it as ``schedule=`` and, before update :math:`t`, sets

.. math::

    \eta_t = \eta_0 \, m(t),

where :math:`\eta_0` is the optimizer's ``lr`` when training starts (it is put back when
training ends).  A multiplier, not a value, so that one schedule serves every update rule at
its own learning rate.  The schedules, with :math:`t` counted from 0:

==================  ========================================================================
schedule            multiplier :math:`m(t)`
==================  ========================================================================
:class:`StepDecay`  :math:`\gamma^{\lfloor t / s \rfloor}`: multiply by :math:`\gamma` every
                    :math:`s` updates (``step_size``)
:class:`MultiStep`  :math:`\gamma^{k(t)}`, :math:`k(t)` the number of ``milestones``
                    :math:`\le t`: multiply by :math:`\gamma` at each milestone
:class:`Cosine`     :math:`m_T + (1 - m_T)\,\tfrac12\big(1 + \cos(\pi \min(t, T)/T)\big)`: from 1
                    down to :math:`m_T` (``final``) after :math:`T` (``total``) updates
:class:`Warmup`     :math:`(t + 1)/W` for :math:`t < W`, then 1, or the schedule ``then``
                    started afresh: :math:`m_\text{then}(t - W)`
==================  ========================================================================

Any callable ``t -> float`` works as a schedule too; these classes add a ``__repr__`` and
:meth:`Schedule.values` for plotting.  Every argument is checked with :mod:`lib.checks`.
"""

import math
from itertools import pairwise

import numpy as np

from lib import checks

__all__ = ["SCHEDULES", "Cosine", "MultiStep", "Schedule", "StepDecay", "Warmup"]


class Schedule:
    """Base class: a learning-rate multiplier as a function of the iteration number."""

    def multiplier(self, t):
        """The multiplier at iteration ``t`` (an int >= 0, already checked)."""
        raise NotImplementedError

    def __call__(self, t):
        """The multiplier :math:`m(t)` at iteration ``t`` (an int >= 0), a Python float."""
        return float(self.multiplier(checks.integer("t", t, 0)))

    def values(self, n):
        """The multipliers of the first ``n`` iterations: an ndarray of shape (n,)."""
        n = checks.integer("n", n, 0)
        return np.array([self.multiplier(t) for t in range(n)], dtype=float)


class StepDecay(Schedule):
    r"""Multiply the learning rate by ``gamma`` every ``step_size`` updates.

    .. math::

        m(t) = \gamma^{\lfloor t / s \rfloor}

    Parameters
    ----------
    step_size : int
        :math:`s \ge 1`, the number of updates between two decays.
    gamma : float
        :math:`\gamma \in (0, 1]`, the factor of each decay (default 0.1: tenfold).
    """

    def __init__(self, step_size, gamma=0.1):
        self.step_size = checks.integer("step_size", step_size, 1)
        self.gamma = checks.number("gamma", gamma, 0.0, 1.0, low_open=True)

    def multiplier(self, t):
        return self.gamma ** (t // self.step_size)

    def __repr__(self):
        return f"StepDecay(step_size={self.step_size}, gamma={self.gamma:g})"


class MultiStep(Schedule):
    r"""Multiply the learning rate by ``gamma`` at each of the given iterations.

    .. math::

        m(t) = \gamma^{k(t)}, \qquad k(t) = \#\{\, j : t_j \le t \,\}

    e.g. ``MultiStep([500, 750])`` runs updates 0-499 at :math:`\eta_0`, 500-749 at
    :math:`\gamma\eta_0` and the rest at :math:`\gamma^2\eta_0`.

    Parameters
    ----------
    milestones : sequence of int
        The iterations :math:`t_j \ge 1` at which to decay, in increasing order.
    gamma : float
        :math:`\gamma \in (0, 1]`, the factor of each decay (default 0.1).
    """

    def __init__(self, milestones, gamma=0.1):
        milestones = [checks.integer("milestones", m, 1) for m in milestones]
        if not milestones or any(a >= b for a, b in pairwise(milestones)):
            raise ValueError(
                f"milestones must be increasing iterations >= 1, at least one, got {milestones!r}"
            )
        self.milestones = tuple(milestones)
        self.gamma = checks.number("gamma", gamma, 0.0, 1.0, low_open=True)

    def multiplier(self, t):
        return self.gamma ** sum(m <= t for m in self.milestones)

    def __repr__(self):
        return f"MultiStep(milestones={list(self.milestones)}, gamma={self.gamma:g})"


class Cosine(Schedule):
    r"""Cosine annealing (Loshchilov & Hutter, 2017, without restarts).

    .. math::

        m(t) = m_T + (1 - m_T)\,\frac{1 + \cos\!\big(\pi \min(t, T) / T\big)}{2}

    falls smoothly from 1 at :math:`t = 0` to :math:`m_T` at :math:`t = T` and stays there.
    Training for exactly :math:`T` updates uses :math:`t = 0, \dots, T - 1`, whose multipliers
    are all above :math:`m_T`, so ``final=0`` is allowed; beyond :math:`T` updates it would
    ask the optimizer for a learning rate of 0, which the optimizers refuse.

    Parameters
    ----------
    total : int
        :math:`T \ge 1`, the number of updates over which to anneal.
    final : float
        :math:`m_T \in [0, 1]`, the multiplier reached at :math:`t = T` (default 0).
    """

    def __init__(self, total, final=0.0):
        self.total = checks.integer("total", total, 1)
        self.final = checks.number("final", final, 0.0, 1.0)

    def multiplier(self, t):
        phase = math.pi * min(t, self.total) / self.total
        return self.final + (1.0 - self.final) * 0.5 * (1.0 + math.cos(phase))

    def __repr__(self):
        return f"Cosine(total={self.total}, final={self.final:g})"


class Warmup(Schedule):
    r"""Linear warm-up over ``steps`` updates, then 1 (or another schedule).

    .. math::

        m(t) = \begin{cases} (t + 1)/W & t < W \\ m_\text{then}(t - W) & t \ge W \end{cases}

    with :math:`m_\text{then} = 1` when ``then`` is None.  The first update already moves (at
    :math:`\eta_0/W`), and update :math:`W - 1` runs at the full :math:`\eta_0`; the schedule
    ``then`` starts from its own :math:`t = 0` when the warm-up is over.

    Parameters
    ----------
    steps : int
        :math:`W \ge 1`, the length of the warm-up.
    then : callable, optional
        The schedule that follows, e.g. ``Cosine(total - steps)``.
    """

    def __init__(self, steps, then=None):
        self.steps = checks.integer("steps", steps, 1)
        if then is not None and not callable(then):
            raise ValueError(f"then must be a schedule (a callable t -> multiplier), got {then!r}")
        self.then = then

    def multiplier(self, t):
        if t < self.steps:
            return (t + 1) / self.steps
        return 1.0 if self.then is None else float(self.then(t - self.steps))

    def __repr__(self):
        then = "" if self.then is None else f", then={self.then!r}"
        return f"Warmup(steps={self.steps}{then})"


#: name -> class, for menus: ``SCHEDULES["cosine"](total=1000)``.
SCHEDULES = {"step": StepDecay, "multistep": MultiStep, "cosine": Cosine, "warmup": Warmup}

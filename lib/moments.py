r"""Adam's moment estimates on simulated gradients, and the steps RAdam takes instead.

Adam keeps two exponential averages per parameter, :math:`m_t` of the gradient and
:math:`v_t` of its square, both started at zero and therefore biased towards zero in the first
steps; it divides them by :math:`1 - \beta_1^t` and :math:`1 - \beta_2^t`.  The functions here
feed streams of scalar gradients through ``lib.optimizers.Adam`` and ``RAdam`` and report what
they hold, so that a chapter can show the bias, its correction, and how uncertain the adaptive
rate :math:`\psi_t = 1/\sqrt{\hat v_t}` is while :math:`\hat v_t` still averages only a few
squared gradients (the observation behind RAdam).

* :func:`gradient_stream` -- noisy gradients :math:`g_t = 1 + \sigma\xi_t` around a known mean;
* :func:`adam_moments` -- :math:`m_t, v_t, \hat m_t, \hat v_t` along a stream;
* :func:`adaptive_rate_spread` -- quantiles of :math:`\psi_t` over many simulated runs;
* :func:`radam_step_sizes` -- RAdam's step sizes on a constant gradient, in units of ``lr``.
"""

import numpy as np

from lib import checks
from lib.optimizers import Adam, RAdam

__all__ = ["adam_moments", "adaptive_rate_spread", "gradient_stream", "radam_step_sizes"]


def gradient_stream(steps, noise, seed=0):
    r"""Gradients :math:`g_t = 1 + \text{noise}\cdot\xi_t` with standard normal :math:`\xi_t`.

    Parameters
    ----------
    steps : int
        Number of gradients, :math:`\ge 1`.
    noise : float
        Standard deviation of the noise, :math:`\ge 0`.
    seed : int, default 0
        Seeds :math:`\xi_t`.

    Returns
    -------
    ndarray of shape (steps,)
        Gradients whose true mean is 1.
    """
    steps = checks.integer("steps", steps, 1)
    noise = checks.non_negative("noise", noise)
    return 1.0 + noise * np.random.default_rng(seed).standard_normal(steps)


def adam_moments(grads, beta1=0.9, beta2=0.999):
    r"""Adam's moment estimates along a stream of scalar gradients, read from ``Adam``'s state.

    Parameters
    ----------
    grads : array_like of shape (T,)
        The gradient of one parameter at steps 1 to T.
    beta1, beta2 : float
        Adam's decay rates, each in [0, 1).

    Returns
    -------
    dict[str, ndarray of shape (T,)]
        ``m`` and ``v`` (the optimizer's state after each step), and ``m_hat``
        :math:`= m_t / (1 - \beta_1^t)` and ``v_hat`` :math:`= v_t / (1 - \beta_2^t)`.
    """
    grads = checks.array("grads", grads, ndim=1)
    if grads.size == 0:
        raise ValueError("grads must hold at least one gradient, got an empty array")
    opt = Adam(lr=1e-3, beta1=beta1, beta2=beta2)
    params = {"w": np.zeros(1)}
    m, v = np.empty(grads.size), np.empty(grads.size)
    for i, g in enumerate(grads):
        opt.update(params, {"w": np.array([g])})
        m[i], v[i] = opt.state["w"]["m"][0], opt.state["w"]["v"][0]
    t = np.arange(1, grads.size + 1)
    return {"m": m, "v": v, "m_hat": m / (1.0 - beta1**t), "v_hat": v / (1.0 - beta2**t)}


def adaptive_rate_spread(beta2=0.999, steps=200, runs=4000, quantiles=(0.05, 0.5, 0.95), seed=0):
    r"""How uncertain Adam's adaptive rate :math:`\psi_t = 1/\sqrt{\hat v_t}` is, step by step.

    Simulates ``runs`` independent streams of standard normal gradients (so the true
    :math:`1/\sqrt{E[g^2]}` is 1).  Early on :math:`\hat v_t` averages very few squared
    gradients, so :math:`\psi_t` is wild.

    Parameters
    ----------
    beta2 : float, default 0.999
        Adam's :math:`\beta_2`, in [0, 1).
    steps : int, default 200
        Number of steps simulated.
    runs : int, default 4000
        Number of independent streams, :math:`\ge 2`.
    quantiles : sequence of float, default (0.05, 0.5, 0.95)
        The quantiles to report, each in [0, 1].
    seed : int, default 0
        Seeds the gradients.

    Returns
    -------
    ndarray of shape (len(quantiles), steps)
        The quantiles of :math:`\psi_t` over the runs at steps :math:`t = 1, \dots,` ``steps``.
    """
    beta2 = checks.probability("beta2", beta2)
    steps = checks.integer("steps", steps, 1)
    runs = checks.integer("runs", runs, 2)
    rng = np.random.default_rng(seed)
    v = np.zeros(runs)
    out = np.empty((len(quantiles), steps))
    for i in range(steps):
        g = rng.standard_normal(runs)
        v = beta2 * v + (1.0 - beta2) * g * g
        psi = 1.0 / np.sqrt(v / (1.0 - beta2 ** (i + 1)))
        out[:, i] = np.quantile(psi, quantiles)
    return out


def radam_step_sizes(beta2=0.999, steps=200, grad=1.0):
    r"""The steps ``lib.optimizers.RAdam`` takes on a constant gradient, in units of ``lr``.

    With a constant gradient :math:`g` every moment estimate is exact (:math:`\hat m_t = g`,
    :math:`v_t = (1 - \beta_2^t) g^2`), so Adam would step exactly :math:`\eta` each time.
    RAdam steps :math:`\eta\, \hat m_t = \eta g` while :math:`\rho_t \le 5` (the momentum step,
    not adapted to the gradient's scale) and then :math:`\eta\, r_t`.

    Parameters
    ----------
    beta2 : float, default 0.999
        RAdam's :math:`\beta_2`, in [0, 1).
    steps : int, default 200
        Number of steps.
    grad : float, default 1.0
        The constant gradient :math:`g`, in (0, 1e6].

    Returns
    -------
    ndarray of shape (steps,)
        The step sizes divided by ``lr``, measured from the optimizer itself.
    """
    beta2 = checks.probability("beta2", beta2)
    steps = checks.integer("steps", steps, 1)
    grad = checks.number("grad", grad, 0.0, 1e6, low_open=True)
    opt = RAdam(lr=1.0, beta2=beta2, eps=1e-12 * grad)
    params, grads = {"w": np.zeros(1)}, {"w": np.full(1, grad)}
    sizes = np.empty(steps)
    for i in range(steps):
        before = params["w"][0]
        opt.update(params, grads)
        sizes[i] = before - params["w"][0]
    return sizes


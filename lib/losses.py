r"""Loss functions and their gradients.

Every loss is an average over the batch, so its size does not depend on the batch size,
and every ``*_grad`` returns :math:`\partial L / \partial y` with the shape of the
prediction.  Losses return Python floats; gradients keep the prediction's dtype.

Shapes: ``N`` samples, ``C`` classes (or outputs).

- :func:`mean_squared_error` — regression, :math:`\frac{1}{NC}\sum (y - t)^2`.
- :func:`binary_cross_entropy` (from probabilities) and
  :func:`binary_cross_entropy_with_logits` (from scores, the stable choice).
- :func:`softmax_cross_entropy` — multi-class classification from scores, with
  labels given as class indices ``(N,)`` or one-hot rows ``(N, C)``.

Stability: softmax and its logarithm subtract the row maximum before exponentiating
(the log-sum-exp trick), so no ``exp`` ever overflows.
"""

import numpy as np

from lib.activations import sigmoid

#: Probabilities are clipped to [EPS, 1 - EPS] before taking logs in the BCE on probabilities.
EPS = 1e-7


def _like(t, y):
    """``t`` as an array in ``y``'s dtype (so float64 targets never upcast float32 maths)."""
    return np.asarray(t, dtype=y.dtype)


def mean_squared_error(y, t):
    r"""Mean squared error :math:`\frac{1}{n}\sum_i (y_i - t_i)^2` over all :math:`n` entries.

    (*Deep Learning from Scratch* uses :math:`\frac12\sum (y - t)^2` without the mean; the
    gradient differs only by a constant factor.)

    Parameters
    ----------
    y : ndarray of shape (N, C) or (N,)
        The predictions.
    t : array_like of the shape of ``y``
        The targets.

    Returns
    -------
    float
    """
    d = y - _like(t, y)
    return float(np.mean(d * d))


def mean_squared_error_grad(y, t):
    r"""Gradient of :func:`mean_squared_error`: :math:`\partial L/\partial y = 2 (y - t) / n`.

    Parameters
    ----------
    y : ndarray of shape (N, C) or (N,)
        The predictions.
    t : array_like of the shape of ``y``
        The targets.

    Returns
    -------
    ndarray of the shape of ``y``
    """
    return (y - _like(t, y)) * (2.0 / y.size)


def binary_cross_entropy(p, t):
    r"""Binary cross-entropy from probabilities, :math:`-\frac1n\sum t\log p + (1-t)\log(1-p)`.

    ``p`` is clipped to [:data:`EPS`, 1 - :data:`EPS`], so a confident wrong answer costs
    about :math:`-\log(10^{-7}) \approx 16` instead of infinity.  Prefer
    :func:`binary_cross_entropy_with_logits` when you have the scores.

    Parameters
    ----------
    p : ndarray of any shape, e.g. (N,)
        Predicted probabilities in [0, 1].
    t : array_like of the shape of ``p``
        Targets in {0, 1} (or in [0, 1]).

    Returns
    -------
    float
    """
    t = _like(t, p)
    p = np.clip(p, EPS, 1.0 - EPS)
    return float(-np.mean(t * np.log(p) + (1.0 - t) * np.log1p(-p)))


def binary_cross_entropy_grad(p, t):
    r"""Gradient of :func:`binary_cross_entropy`: :math:`\frac{1}{n}\,\frac{p - t}{p(1 - p)}`.

    ``p`` is clipped as in the loss.

    Parameters
    ----------
    p : ndarray of any shape, e.g. (N,)
        Predicted probabilities in [0, 1].
    t : array_like of the shape of ``p``
        Targets.

    Returns
    -------
    ndarray of the shape of ``p``
    """
    t = _like(t, p)
    p = np.clip(p, EPS, 1.0 - EPS)
    return (p - t) / (p * (1.0 - p)) * (1.0 / p.size)


def binary_cross_entropy_with_logits(z, t):
    r"""Binary cross-entropy of :math:`p = \sigma(z)`, computed stably from the score ``z``.

    .. math::

        -t\log\sigma(z) - (1-t)\log(1-\sigma(z)) = \max(z, 0) - t z + \log(1 + e^{-|z|}),

    which never overflows.

    Parameters
    ----------
    z : ndarray of any shape, e.g. (N,)
        Scores (logits).
    t : array_like of the shape of ``z``
        Targets in {0, 1} (or in [0, 1]).

    Returns
    -------
    float
    """
    t = _like(t, z)
    return float(np.mean(np.maximum(z, 0) - t * z + np.log1p(np.exp(-np.abs(z)))))


def binary_cross_entropy_with_logits_grad(z, t):
    r"""Gradient of :func:`binary_cross_entropy_with_logits`: :math:`(\sigma(z) - t) / n`.

    The sigmoid's derivative cancels against the log's.

    Parameters
    ----------
    z : ndarray of any shape, e.g. (N,)
        Scores (logits).
    t : array_like of the shape of ``z``
        Targets.

    Returns
    -------
    ndarray of the shape of ``z``
    """
    return (sigmoid(z) - _like(t, z)) * (1.0 / z.size)


def log_softmax(x):
    r"""Row-wise :math:`\log \mathrm{softmax}(x)_k = x_k - \log\sum_j e^{x_j}`.

    Subtracting the row maximum first changes nothing mathematically and keeps every
    exponent :math:`\le 0` (the log-sum-exp trick).

    Parameters
    ----------
    x : ndarray of shape (N, C)
        Scores.

    Returns
    -------
    ndarray of shape (N, C)
    """
    shifted = x - x.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(x):
    r"""Row-wise softmax :math:`e^{x_k} / \sum_j e^{x_j}`.

    Parameters
    ----------
    x : ndarray of shape (N, C)
        Scores.

    Returns
    -------
    ndarray of shape (N, C)
        Probabilities; every row sums to 1.
    """
    return np.exp(log_softmax(x))


def cross_entropy(log_probs, t):
    r"""Mean negative log-likelihood :math:`-\frac1N\sum_n \log p_{n, t_n}`.

    Parameters
    ----------
    log_probs : ndarray of shape (N, C)
        Log-probabilities.
    t : array_like of shape (N,) or (N, C)
        Class indices, or one-hot rows.

    Returns
    -------
    float
    """
    n, t = log_probs.shape[0], np.asarray(t)
    if t.ndim == 1:
        picked = log_probs[np.arange(n), t]
    else:
        picked = _like(t, log_probs) * log_probs
    return -float(picked.sum()) / n


def softmax_cross_entropy_backward(probs, t):
    r"""Gradient of the mean softmax cross-entropy w.r.t. the scores, from the probabilities.

    It is :math:`(p - t_\text{one-hot}) / N`: the softmax Jacobian and the log's derivative
    cancel into this short formula.

    Parameters
    ----------
    probs : ndarray of shape (N, C)
        Softmax probabilities.
    t : array_like of shape (N,) or (N, C)
        Class indices, or one-hot rows.

    Returns
    -------
    ndarray of shape (N, C)
        A new array.
    """
    n, t = probs.shape[0], np.asarray(t)
    if t.ndim == 1:
        dx = probs.copy()
        dx[np.arange(n), t] -= 1.0
    else:
        dx = probs - _like(t, probs)
    dx *= 1.0 / n
    return dx


def softmax_cross_entropy(scores, t):
    """Mean cross-entropy of ``softmax(scores)`` against the labels ``t``.

    Parameters
    ----------
    scores : ndarray of shape (N, C)
    t : array_like of shape (N,) or (N, C)
        Class indices, or one-hot rows.

    Returns
    -------
    float
    """
    return cross_entropy(log_softmax(scores), t)


def softmax_cross_entropy_grad(scores, t):
    """Gradient of :func:`softmax_cross_entropy` w.r.t. the scores.

    Parameters
    ----------
    scores : ndarray of shape (N, C)
    t : array_like of shape (N,) or (N, C)
        Class indices, or one-hot rows.

    Returns
    -------
    ndarray of shape (N, C)
    """
    return softmax_cross_entropy_backward(softmax(scores), t)

r"""Loss functions and their gradients.

Every loss is an average over the batch, so its size does not depend on the batch size,
and every ``*_grad`` returns $\partial L / \partial y$ with the shape of the prediction.
Losses return Python floats; gradients keep the prediction's dtype.

Shapes: ``N`` samples, ``C`` classes (or outputs).

- :func:`mean_squared_error` — regression, $\frac{1}{NC}\sum (y - t)^2$.
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
    r"""Mean squared error $\frac{1}{n}\sum_i (y_i - t_i)^2$ over all $n$ entries.

    y, t: arrays of the same shape, e.g. (N, C) or (N,).
    (*Deep Learning from Scratch* uses $\frac12\sum (y - t)^2$ without the mean;
    the gradient differs only by a constant factor.)
    """
    d = y - _like(t, y)
    return float(np.mean(d * d))


def mean_squared_error_grad(y, t):
    r"""$\partial L/\partial y = 2 (y - t) / n$; shape of ``y``."""
    return (y - _like(t, y)) * (2.0 / y.size)


def binary_cross_entropy(p, t):
    r"""Binary cross-entropy from probabilities: $-\frac1n\sum t\log p + (1-t)\log(1-p)$.

    p: predicted probabilities in [0, 1]; t: targets in {0, 1} (or in [0, 1]); same shape.
    ``p`` is clipped to [EPS, 1 - EPS], so a confident wrong answer costs about
    $-\log(10^{-7}) \approx 16$ instead of infinity. Prefer
    :func:`binary_cross_entropy_with_logits` when you have the scores.
    """
    t = _like(t, p)
    p = np.clip(p, EPS, 1.0 - EPS)
    return float(-np.mean(t * np.log(p) + (1.0 - t) * np.log1p(-p)))


def binary_cross_entropy_grad(p, t):
    r"""$\partial L/\partial p = \frac{1}{n}\,\frac{p - t}{p(1 - p)}$ (with ``p`` clipped)."""
    t = _like(t, p)
    p = np.clip(p, EPS, 1.0 - EPS)
    return (p - t) / (p * (1.0 - p)) * (1.0 / p.size)


def binary_cross_entropy_with_logits(z, t):
    r"""Binary cross-entropy of $p = \sigma(z)$, computed from the score ``z`` stably.

    $-t\log\sigma(z) - (1-t)\log(1-\sigma(z)) = \max(z, 0) - t z + \log(1 + e^{-|z|})$,
    which never overflows. z, t: same shape.
    """
    t = _like(t, z)
    return float(np.mean(np.maximum(z, 0) - t * z + np.log1p(np.exp(-np.abs(z)))))


def binary_cross_entropy_with_logits_grad(z, t):
    r"""$\partial L/\partial z = (\sigma(z) - t) / n$: the sigmoid's derivative cancels."""
    return (sigmoid(z) - _like(t, z)) * (1.0 / z.size)


def log_softmax(x):
    r"""Row-wise $\log \mathrm{softmax}(x)_k = x_k - \log\sum_j e^{x_j}$ for x (N, C).

    Subtracting the row maximum first changes nothing mathematically and keeps every
    exponent $\le 0$ (the log-sum-exp trick).
    """
    shifted = x - x.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(x):
    r"""Row-wise softmax $e^{x_k} / \sum_j e^{x_j}$ for x (N, C); rows sum to 1."""
    return np.exp(log_softmax(x))


def cross_entropy(log_probs, t):
    r"""Mean negative log-likelihood $-\frac1N\sum_n \log p_{n, t_n}$.

    log_probs: (N, C) log-probabilities; t: (N,) class indices or (N, C) one-hot rows.
    """
    n, t = log_probs.shape[0], np.asarray(t)
    if t.ndim == 1:
        picked = log_probs[np.arange(n), t]
    else:
        picked = _like(t, log_probs) * log_probs
    return -float(picked.sum()) / n


def softmax_cross_entropy_backward(probs, t):
    r"""Gradient of the mean softmax cross-entropy w.r.t. the scores: $(p - t_\text{one-hot}) / N$.

    probs: (N, C) softmax probabilities; t: (N,) class indices or (N, C) one-hot rows.
    The softmax Jacobian and the log's derivative cancel into this short formula.
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
    """Mean cross-entropy of ``softmax(scores)``; scores (N, C), t (N,) indices or (N, C)."""
    return cross_entropy(log_softmax(scores), t)


def softmax_cross_entropy_grad(scores, t):
    """Gradient of :func:`softmax_cross_entropy` w.r.t. scores; (N, C)."""
    return softmax_cross_entropy_backward(softmax(scores), t)

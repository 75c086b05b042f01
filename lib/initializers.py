r"""Weight initialisers.

Each initialiser returns a float64 weight matrix of shape ``(n_in, n_out)`` drawn with the
``np.random.Generator`` passed in (the network casts it to its own dtype).  The scale is what
matters: it decides whether the signal keeps its size as it travels through the layers.

.. list-table::
   :header-rows: 1

   * - name
     - distribution
     - standard deviation
     - suited to
   * - ``zeros``
     - all 0
     - 0
     - nothing: every unit stays identical (symmetry never breaks)
   * - ``normal``
     - :math:`\mathcal N(0, s^2)`
     - :math:`s` = ``std`` (0.01 by default)
     - shows vanishing signals
   * - ``uniform``
     - :math:`U(-a, a)`
     - :math:`a/\sqrt3` (:math:`a` = ``limit``, 0.05 by default)
     - —
   * - ``xavier_normal``, ``xavier``
     - normal
     - :math:`\sqrt{2/(n_\text{in}+n_\text{out})}`
     - sigmoid, tanh
   * - ``xavier_uniform``
     - :math:`U(-a, a)`, :math:`a = \sqrt{6/(n_\text{in}+n_\text{out})}`
     - the same
     - the same
   * - ``he``
     - normal
     - :math:`\sqrt{2/n_\text{in}}`
     - ReLU family
   * - ``lecun``
     - normal
     - :math:`\sqrt{1/n_\text{in}}`
     - SELU

Glorot & Bengio (2010) proposed the Xavier formulas; He et al. (2015) the ReLU one; LeCun
et al. (1998) the :math:`1/n_\text{in}` one.  What *Deep Learning from Scratch* calls
"Xavier" (:math:`1/\sqrt{n}` with :math:`n` the number of inputs) is LeCun's formula.

:data:`INITIALIZERS` is the registry of these names; :func:`get_initializer` turns a name, a
standard deviation or a function of your own into an initialiser.
"""

import numbers
from functools import partial

import numpy as np

from lib import checks


def zeros(n_in, n_out, rng=None):
    """All-zero weights.

    Parameters
    ----------
    n_in, n_out : int
        The layer's numbers of inputs and outputs.
    rng : numpy.random.Generator, optional
        Accepted so that every initialiser has the same signature; unused.

    Returns
    -------
    ndarray of shape (n_in, n_out)
    """
    return np.zeros((n_in, n_out))


def normal(n_in, n_out, rng, std=0.01):
    r"""Normally distributed weights, :math:`W_{ij} \sim \mathcal N(0, \mathrm{std}^2)`.

    Parameters
    ----------
    n_in, n_out : int
        The layer's numbers of inputs and outputs.
    rng : numpy.random.Generator
        Draws the weights.
    std : float, default 0.01
        The standard deviation.

    Returns
    -------
    ndarray of shape (n_in, n_out)
    """
    return std * rng.standard_normal((n_in, n_out))


def uniform(n_in, n_out, rng, limit=0.05):
    r"""Uniformly distributed weights, :math:`W_{ij} \sim U(-\mathrm{limit}, \mathrm{limit})`.

    Parameters
    ----------
    n_in, n_out : int
        The layer's numbers of inputs and outputs.
    rng : numpy.random.Generator
        Draws the weights.
    limit : float, default 0.05
        Half the width of the interval; the standard deviation is
        :math:`\mathrm{limit}/\sqrt3`.

    Returns
    -------
    ndarray of shape (n_in, n_out)
    """
    return rng.uniform(-limit, limit, size=(n_in, n_out))


def xavier_normal(n_in, n_out, rng):
    r"""Glorot normal: standard deviation :math:`\sqrt{2 / (n_\text{in} + n_\text{out})}`.

    Parameters
    ----------
    n_in, n_out : int
        The layer's numbers of inputs and outputs.
    rng : numpy.random.Generator
        Draws the weights.

    Returns
    -------
    ndarray of shape (n_in, n_out)
    """
    return normal(n_in, n_out, rng, std=np.sqrt(2.0 / (n_in + n_out)))


def xavier_uniform(n_in, n_out, rng):
    r"""Glorot uniform: limit :math:`\sqrt{6 / (n_\text{in} + n_\text{out})}`.

    The same variance as :func:`xavier_normal`.

    Parameters
    ----------
    n_in, n_out : int
        The layer's numbers of inputs and outputs.
    rng : numpy.random.Generator
        Draws the weights.

    Returns
    -------
    ndarray of shape (n_in, n_out)
    """
    return uniform(n_in, n_out, rng, limit=np.sqrt(6.0 / (n_in + n_out)))


def he(n_in, n_out, rng):
    r"""He (Kaiming) normal: standard deviation :math:`\sqrt{2 / n_\text{in}}`.

    The 2 makes up for the half of its inputs that ReLU sets to zero.

    Parameters
    ----------
    n_in, n_out : int
        The layer's numbers of inputs and outputs.
    rng : numpy.random.Generator
        Draws the weights.

    Returns
    -------
    ndarray of shape (n_in, n_out)
    """
    return normal(n_in, n_out, rng, std=np.sqrt(2.0 / n_in))


def lecun(n_in, n_out, rng):
    r"""LeCun normal: standard deviation :math:`\sqrt{1 / n_\text{in}}`.

    Parameters
    ----------
    n_in, n_out : int
        The layer's numbers of inputs and outputs.
    rng : numpy.random.Generator
        Draws the weights.

    Returns
    -------
    ndarray of shape (n_in, n_out)
    """
    return normal(n_in, n_out, rng, std=np.sqrt(1.0 / n_in))


#: The registry of initialisers: name -> function ``(n_in, n_out, rng) -> W``.
INITIALIZERS = {
    "zeros": zeros,
    "normal": normal,
    "uniform": uniform,
    "xavier": xavier_normal,
    "xavier_normal": xavier_normal,
    "xavier_uniform": xavier_uniform,
    "he": he,
    "lecun": lecun,
}


def draw_weights(init_fn, n_in, n_out, rng, dtype=np.float64):
    """Draw a layer's weights with ``init_fn`` and cast them to ``dtype``.

    Parameters
    ----------
    init_fn : callable
        ``init_fn(n_in, n_out, rng)``, e.g. from :func:`get_initializer`.
    n_in, n_out : int
        The layer's numbers of inputs and outputs.
    rng : numpy.random.Generator
        Passed to ``init_fn``.
    dtype : dtype, default float64

    Returns
    -------
    ndarray of shape (n_in, n_out)

    Raises
    ------
    ValueError
        If ``init_fn`` (a function of the reader's own) returns another shape; the message
        names ``init``.
    """
    W = np.asarray(init_fn(n_in, n_out, rng), dtype=dtype)
    if W.shape != (n_in, n_out):
        raise ValueError(f"init must give weights of shape {(n_in, n_out)}, got {W.shape}")
    return W


def get_initializer(init):
    """Turn ``init`` into a function ``(n_in, n_out, rng) -> W`` of shape (n_in, n_out).

    Parameters
    ----------
    init : str, float or callable
        A name from :data:`INITIALIZERS`; a positive number, used as the standard deviation
        of normally distributed weights (``MultiLayerNet(init=0.01)``); or such a function,
        returned as it is.

    Returns
    -------
    callable

    Raises
    ------
    ValueError
        Naming ``init``, for an unknown name, a number that is not positive and finite, or
        anything else.
    """
    if callable(init):
        return init
    if isinstance(init, str) and init in INITIALIZERS:
        return INITIALIZERS[init]
    if isinstance(init, numbers.Real) and not isinstance(init, bool):
        return partial(normal, std=checks.positive("init", init))
    raise ValueError(
        f"init must be one of {', '.join(repr(name) for name in INITIALIZERS)}, a positive "
        f"number (the weights' standard deviation) or a function (n_in, n_out, rng) -> W, "
        f"got {init!r}"
    )


class Scaled:
    r"""An initialiser whose weights are another's times a constant ``gain``.

    ``Scaled("he", 1.5)`` draws He's weights and multiplies them by 1.5: a standard deviation
    of :math:`1.5\sqrt{2/n_\text{in}}` in every layer, whatever its fan-in (a plain number
    as ``init`` would give every layer the same standard deviation).

    Parameters
    ----------
    init : str, float or callable
        Anything :func:`get_initializer` accepts.
    gain : float
        The factor, > 0.

    Attributes
    ----------
    __name__ : str
        A label such as ``"1.5 × he"``, which figure legends use.
    """

    def __init__(self, init, gain):
        self.init = init
        self.gain = checks.positive("gain", gain)
        self._draw = get_initializer(init)
        name = getattr(init, "__name__", str(init))
        self.__name__ = f"{self.gain:g} × {name}"

    def __call__(self, n_in, n_out, rng):
        """Weights of shape (n_in, n_out): ``gain`` times those of ``init``."""
        return self.gain * np.asarray(self._draw(n_in, n_out, rng), dtype=np.float64)

    def __repr__(self):
        return f"Scaled({self.init!r}, {self.gain:g})"

r"""Checking arguments: one place, one message format.

Every public function of ``lib`` checks what a reader passes it before computing anything, so
that a slider pushed to a strange value or a typo gives a sentence, not a NumPy traceback from
deep inside.  Every message has the same form::

    lr must be a number in (0, inf), got -0.1
    steps must be an integer in [1, 5000], got 2.5
    rule must be one of 'sgd', 'momentum', 'adam', got 'adma'

naming the argument, what is allowed and the value received.  Each check returns the value in
the form the caller computes with (a Python ``float`` or ``int``), so that a NumPy scalar never
sneaks into an update rule (see the NEP 50 note in :mod:`lib.optimizers`).
"""

import math
import numbers

import numpy as np

__all__ = [
    "array",
    "integer",
    "non_negative",
    "number",
    "one_of",
    "positive",
    "probability",
]


def _interval(low, high, low_open, high_open):
    """The interval as text: ``(0, inf)``, ``[0, 1)``, ...; infinite ends are always open."""
    left = "(" if low_open or low == -math.inf else "["
    right = ")" if high_open or high == math.inf else "]"
    return f"{left}{low:g}, {high:g}{right}"


def _fail(name, what, value, *, described=False):
    """Raise the one message: ``<name> must be <what>, got <value>``.

    Parameters
    ----------
    name, what : str
        The argument's name and what it must be.
    value : object
        What the caller passed, shown with ``repr``.
    described : bool
        ``value`` is already a description (``"an array of shape (3,)"``), not the value
        itself, and is shown without quotes.
    """
    got = value if described else repr(value)
    raise ValueError(f"{name} must be {what}, got {got}")


def number(name, value, low=-math.inf, high=math.inf, *, low_open=False, high_open=False):
    """``value`` as a Python float in the interval from ``low`` to ``high``.

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    value : object
        What the caller passed.  Booleans are refused; NaN is never in an interval.
    low, high : float
        The ends of the allowed interval (infinite ends are open).
    low_open, high_open : bool
        Whether ``low`` and ``high`` themselves are excluded.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        ``"<name> must be a number in <interval>, got <value>"``.
    """
    what = f"a number in {_interval(low, high, low_open, high_open)}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.ndarray)):
        _fail(name, what, value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        _fail(name, what, value)
    above = x > low if low_open else x >= low
    below = x < high if high_open else x <= high
    if not (above and below):  # False for NaN
        _fail(name, what, value)
    return x


def positive(name, value):
    """``value`` as a float in (0, inf): learning rates, step sizes, standard deviations."""
    return number(name, value, 0.0, math.inf, low_open=True, high_open=True)


def non_negative(name, value):
    """``value`` as a float in [0, inf): penalties, decays, noise levels."""
    return number(name, value, 0.0, math.inf, high_open=True)


def probability(name, value, *, one=False):
    """``value`` as a float in [0, 1), or in [0, 1] when ``one`` is True.

    Decay rates (``momentum``, ``beta1``, ``beta2``) and drop probabilities must stay below 1;
    ``rho`` may be 1.
    """
    return number(name, value, 0.0, 1.0, high_open=not one)


def integer(name, value, low=-math.inf, high=math.inf):
    """``value`` as a Python int in ``[low, high]``; floats such as 2.0 are refused.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        ``"<name> must be an integer in [low, high], got <value>"``.
    """
    what = f"an integer in {_interval(low, high, False, False)}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        _fail(name, what, value)
    if not low <= value <= high:
        _fail(name, what, value)
    return int(value)


def one_of(name, value, options):
    """``value`` itself if it is one of ``options`` (compared with ``==``).

    Raises
    ------
    ValueError
        ``"<name> must be one of 'a', 'b', got <value>"``.
    """
    options = list(options)
    try:
        if value in options:
            return value
    except TypeError:  # unhashable or incomparable
        pass
    _fail(name, "one of " + ", ".join(repr(o) for o in options), value)


def array(name, value, *, ndim=None, shape=None, finite=True, dtype=float, low=-math.inf,
          high=math.inf, low_open=False, high_open=False):
    """``value`` as an ndarray of ``dtype``, with the given ``ndim`` or ``shape``.

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    value : array_like
        What the caller passed.
    ndim : int, optional
        Required number of dimensions.
    shape : tuple, optional
        Required shape; ``None`` in an entry allows any length there.
    finite : bool
        Refuse NaN and infinite entries.
    dtype : dtype
        The dtype of the returned array.
    low, high : float
        Every entry must lie in the interval from ``low`` to ``high`` (by default any
        number); NaN is never in an interval.
    low_open, high_open : bool
        Whether ``low`` and ``high`` themselves are excluded.

    Returns
    -------
    ndarray
        Of the shape of ``value``.

    Raises
    ------
    ValueError
        ``"<name> must be an array of numbers in <interval>, got an array holding <entry>"``
        (the first entry out of the interval), and likewise for the dimensions, the shape
        and non-finite entries.
    """
    try:
        a = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError):
        _fail(name, "an array of numbers", value)
    if ndim is not None and a.ndim != ndim:
        _fail(name, f"a {ndim}-D array", f"an array of shape {a.shape}", described=True)
    if shape is not None and (
        a.ndim != len(shape)
        or any(s is not None and s != n for s, n in zip(shape, a.shape, strict=True))
    ):
        wanted = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
        _fail(name, f"an array of shape {wanted}", f"shape {a.shape}", described=True)
    if finite and a.size and not np.all(np.isfinite(a)):
        _fail(name, "an array of finite numbers", "an array holding inf or nan", described=True)
    if low > -math.inf or high < math.inf:
        with np.errstate(invalid="ignore"):
            inside = (a > low if low_open else a >= low) & (a < high if high_open else a <= high)
        if not np.all(inside):  # False for NaN
            interval = _interval(low, high, low_open, high_open)
            bad = float(a[~inside].flat[0])
            _fail(name, f"an array of numbers in {interval}", f"an array holding {bad!r}",
                  described=True)
    return a

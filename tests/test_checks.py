"""lib.checks: every message names the argument, what is allowed and the value received."""

import math

import numpy as np
import pytest

from lib import checks


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: checks.positive("lr", -0.1), "lr must be a number in (0, inf), got -0.1"),
        (lambda: checks.positive("lr", 0), "lr must be a number in (0, inf), got 0"),
        (lambda: checks.positive("lr", "fast"), "lr must be a number in (0, inf), got 'fast'"),
        (lambda: checks.positive("lr", True), "lr must be a number in (0, inf), got True"),
        (lambda: checks.non_negative("l1", math.nan), "l1 must be a number in [0, inf), got nan"),
        (lambda: checks.probability("beta1", 1.0), "beta1 must be a number in [0, 1), got 1.0"),
        (lambda: checks.probability("rho", 1.5, one=True),
         "rho must be a number in [0, 1], got 1.5"),
        (lambda: checks.integer("steps", 2.0, 1, 10),
         "steps must be an integer in [1, 10], got 2.0"),
        (lambda: checks.integer("steps", 11, 1, 10), "steps must be an integer in [1, 10], got 11"),
        (lambda: checks.one_of("rule", "adma", ["sgd", "adam"]),
         "rule must be one of 'sgd', 'adam', got 'adma'"),
        (lambda: checks.array("x", [[1.0]], ndim=1),
         "x must be a 1-D array, got an array of shape (1, 1)"),
        (lambda: checks.array("x", np.ones((2, 3)), shape=(None, 4)),
         "x must be an array of shape (any, 4), got shape (2, 3)"),
        (lambda: checks.array("x", [1.0, np.inf]),
         "x must be an array of finite numbers, got an array holding inf or nan"),
        (lambda: checks.array("momentum", [0.5, 1.0, 2.0], low=0, high=1, high_open=True),
         "momentum must be an array of numbers in [0, 1), got an array holding 1.0"),
        (lambda: checks.array("lr", [[0.1, 0.0]], low=0, low_open=True),
         "lr must be an array of numbers in (0, inf), got an array holding 0.0"),
        (lambda: checks.array("rate", [np.nan], low=0, finite=False),
         "rate must be an array of numbers in [0, inf), got an array holding nan"),
    ],
)
def test_one_message_format(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value) == message


def test_values_come_back_as_python_numbers():
    lr = checks.positive("lr", np.float64(0.5))
    assert type(lr) is float and lr == 0.5
    steps = checks.integer("steps", np.int64(3), 1)
    assert type(steps) is int and steps == 3
    assert checks.number("x", -2, -3, 3) == -2.0
    assert checks.probability("rho", 1, one=True) == 1.0
    assert checks.one_of("rule", "sgd", ("sgd", "adam")) == "sgd"
    assert checks.array("x", [[1, 2]], shape=(1, None)).dtype == float

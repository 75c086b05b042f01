"""lib.experiments: runs over seeds, serial and parallel alike, and their spread."""

import numpy as np
import pytest

from lib.experiments import SEEDS, Spread, over_seeds, spread


def noisy(seed, scale=1.0):
    return scale * np.random.default_rng(seed).random()


def per_setting(setting, seed):
    return setting * 10 + seed


def test_over_seeds_runs_every_seed_in_order_and_parallel_equals_serial():
    serial = over_seeds(noisy, n_jobs=1, scale=2.0)
    assert serial == [noisy(seed=s, scale=2.0) for s in SEEDS]
    assert over_seeds(noisy, n_jobs=2, scale=2.0) == serial


def test_over_seeds_with_settings_gives_one_list_per_setting():
    expected = {1: [10, 11, 12], 2: [20, 21, 22]}
    assert over_seeds(per_setting, seeds=range(3), settings=[1, 2], n_jobs=1) == expected
    assert over_seeds(per_setting, seeds=range(3), settings=[1, 2], n_jobs=2) == expected


@pytest.mark.parametrize(
    "kwargs, match",
    [({"seeds": []}, "seeds"), ({"seeds": [-1]}, "seed"), ({"seeds": [1.5]}, "seed"),
     ({"n_jobs": 0}, "n_jobs"), ({"settings": []}, "settings")],
)
def test_over_seeds_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        over_seeds(noisy, **kwargs)


def test_spread_summarises_and_quotes_the_range():
    s = spread([0.975, 0.986, 0.98])
    assert isinstance(s, Spread) and len(s) == 3
    assert (s.min, s.max, s.median) == (0.975, 0.986, 0.98)
    assert s.width == pytest.approx(0.011)
    assert f"{s:.1%}" == "97.5% to 98.6%"
    assert str(s) == "0.97 to 0.99"
    assert "3 seeds" in repr(s)


@pytest.mark.parametrize("values", [[], [1.0, np.nan], [[1.0, 2.0]]])
def test_spread_rejects_what_cannot_be_quoted(values):
    with pytest.raises(ValueError, match="values"):
        spread(values)

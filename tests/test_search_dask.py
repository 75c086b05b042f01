"""lib.search on a real Dask cluster: two worker processes on this machine, through joblib.

Dask is an optional extra (``pip install -e .[dask]``, which requirements.txt installs); where it
is not installed (the compatibility environments hold lib's required dependencies only), this
module is skipped, saying so.
"""

import os

import numpy as np
import pytest

distributed = pytest.importorskip(
    "dask.distributed", reason="dask is an optional extra: pip install -e '.[dask]'"
)

from lib.datasets import load_digits, train_val_split  # noqa: E402
from lib.search import LogUniform, Uniform, random_search, successive_halving  # noqa: E402
from lib.tuning import NetworkObjective  # noqa: E402


def where(params, budget, seed):
    """A tiny objective that says which process ran it."""
    value = np.random.default_rng(seed).random() - (params["x"] - 0.5) ** 2
    return {"score": value, "pid": os.getpid()}


def comparable(result):
    return [(t.index, t.config, t.params, t.budget, t.seed, t.score, t.round, t.error)
            for t in result.trials]


def parallel_backend(name):
    """joblib's context manager for a backend (``parallel_config`` from joblib 1.3 on)."""
    import joblib

    if hasattr(joblib, "parallel_config"):
        return joblib.parallel_config(backend=name)
    return joblib.parallel_backend(name)


def test_a_search_on_a_dask_cluster_equals_the_serial_search():
    (x, t), _ = load_digits()
    (x_train, t_train), (x_val, t_val) = train_val_split(x[:300], t[:300], 0.3, seed=0)
    objective = NetworkObjective(((x_train, t_train), (x_val, t_val)), hidden=(16,))
    space = {"lr": LogUniform(1e-3, 1.0)}
    toy = {"x": Uniform(0, 1)}

    serial = random_search(objective, space, n_trials=6, budget=2, seed=3, n_jobs=1)
    serial_halving = successive_halving(objective, space, n_trials=9, seed=4, n_jobs=1)
    serial_toy = random_search(where, toy, n_trials=8, seed=5, n_jobs=1)

    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        with parallel_backend("dask"):
            on_cluster = random_search(objective, space, n_trials=6, budget=2, seed=3)
            halving = successive_halving(objective, space, n_trials=9, seed=4)
            toy_on_cluster = random_search(where, toy, n_trials=8, seed=5)
        worker_pids = set(client.run(os.getpid).values())

    assert comparable(on_cluster) == comparable(serial)
    assert comparable(halving) == comparable(serial_halving)
    assert comparable(toy_on_cluster) == comparable(serial_toy)
    assert all(t.ok for t in on_cluster.trials)
    ran_in = {t.info["pid"] for t in toy_on_cluster.trials}
    assert ran_in <= worker_pids and os.getpid() not in ran_in  # on the workers, not here

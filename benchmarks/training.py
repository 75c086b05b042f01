"""Training throughput: one epoch of a 5x100 ReLU network, batch 100, float32.

Candidates, all on the same data and the same mini-batches:

- ``lib`` — ``MultiLayerNet`` + ``lib.optimizers`` in a plain loop;
- ``lib.train`` — the same through ``lib.training.train`` (no evaluation pass);
- ``sklearn`` — ``MLPClassifier`` with the same architecture, one epoch of ``partial_fit``;
- ``torch`` — the same network in PyTorch on the CPU, when PyTorch is installed;
- ``GEMM floor`` — the forward and backward matrix products alone, written into
  preallocated arrays: the work no NumPy implementation of this network can avoid.  Like
  the library, it computes no gradient with respect to the input data.

Threads.  Importing ``lib`` limits NumPy's BLAS to one thread (see ``lib/__init__.py``), so
the NumPy candidates run with one thread; the floor and scikit-learn are also run with two
BLAS threads (``... x2``), and PyTorch with its default and with one thread, so that every
candidate is seen at its best.
"""

import numpy as np
from threadpoolctl import threadpool_limits

from lib.network import MultiLayerNet
from lib.optimizers import make_optimizer
from lib.training import train

HIDDEN = [100] * 5
BATCH = 100
SEED = 0


def synthetic(n=60_000, d=784, classes=10, seed=SEED):
    """A data set of MNIST's size: x uniform in [0, 1), random labels (speed only)."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, d), dtype=np.float32)
    t = rng.integers(0, classes, size=n)
    return x, t


def lib_model(x, rule):
    """The library's 5x100 ReLU/He network for ``x`` and the rule at its defaults
    (SGD lr 0.01, Adam lr 1e-3, as for the other implementations)."""
    net = MultiLayerNet([x.shape[1], *HIDDEN, 10], activation="relu", init="he", seed=SEED)
    return net, make_optimizer(rule)


def lib_epoch(x, t, rule):
    """One epoch with the library's network and update rule in a plain loop."""
    net, opt = lib_model(x, rule)
    order = np.random.default_rng(SEED).permutation(len(x))

    def run():
        for start in range(0, len(x), BATCH):
            idx = order[start : start + BATCH]
            _, grads = net.loss_and_gradient(x[idx], t[idx])
            opt.update(net.params, grads)

    return run


def lib_train_epoch(x, t, rule):
    """One epoch through ``lib.training.train``, evaluation switched off."""
    net, opt = lib_model(x, rule)
    data = ((x, t), (x[:BATCH], t[:BATCH]))
    return lambda: train(net, opt, data, epochs=1, batch_size=BATCH, seed=SEED, evaluate=False)


def sklearn_epoch(x, t, rule):
    """One epoch of scikit-learn's MLPClassifier (``partial_fit`` runs exactly one)."""
    from sklearn.neural_network import MLPClassifier

    kw = {"solver": "sgd", "learning_rate_init": 0.01, "momentum": 0.0, "nesterovs_momentum": False}
    if rule == "adam":
        kw = {"solver": "adam", "learning_rate_init": 1e-3}
    clf = MLPClassifier(hidden_layer_sizes=tuple(HIDDEN), activation="relu", batch_size=BATCH,
                        alpha=0.0, shuffle=True, random_state=SEED, **kw)
    classes = np.arange(10)
    clf.partial_fit(x[:BATCH], t[:BATCH], classes=classes)  # builds the float32 weights
    return lambda: clf.partial_fit(x, t)


def torch_epoch(x, t, rule):
    """One epoch of the same network in PyTorch on the CPU."""
    import torch

    torch.manual_seed(SEED)
    sizes = [x.shape[1], *HIDDEN]
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        layers += [torch.nn.Linear(n_in, n_out), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers, torch.nn.Linear(sizes[-1], 10))
    if rule == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, foreach=False)
    loss_fn = torch.nn.CrossEntropyLoss()
    xt, tt = torch.from_numpy(x), torch.from_numpy(t)
    order = torch.from_numpy(np.random.default_rng(SEED).permutation(len(x)))

    def run():
        for start in range(0, len(x), BATCH):
            idx = order[start : start + BATCH]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xt[idx]), tt[idx])
            loss.backward()
            opt.step()

    return run


def gemm_floor(x, t):
    """The forward and backward matrix products of one epoch, into preallocated arrays."""
    sizes = [x.shape[1], *HIDDEN, 10]
    rng = np.random.default_rng(SEED)
    Ws = [rng.standard_normal((a, b), dtype=np.float32)
          for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    outs = [np.empty((BATCH, b), np.float32) for b in sizes[1:]]
    douts = [rng.standard_normal((BATCH, b), dtype=np.float32) for b in sizes[1:]]
    dWs = [np.empty_like(W) for W in Ws]
    dxs = [np.empty((BATCH, a), np.float32) for a in sizes[:-1]]
    n_full = len(x) // BATCH * BATCH

    def run():
        for start in range(0, n_full, BATCH):
            inputs = [x[start : start + BATCH]]  # a view: the floor gathers no mini-batch
            for W, out in zip(Ws, outs, strict=True):
                np.matmul(inputs[-1], W, out=out)
                inputs.append(out)
            for i in reversed(range(len(Ws))):
                np.matmul(inputs[i].T, douts[i], out=dWs[i])
                if i > 0:  # no gradient with respect to the data
                    np.matmul(douts[i], Ws[i].T, out=dxs[i])

    return run


def with_blas_threads(fn, threads):
    """``fn`` run with NumPy's BLAS limited to ``threads`` threads."""

    def run():
        with threadpool_limits(threads, user_api="blas"):
            fn()

    return run


def with_torch_threads(fn, threads):
    """``fn`` run with PyTorch's intra-op thread pool set to ``threads`` threads."""
    import torch

    def run():
        before = torch.get_num_threads()
        torch.set_num_threads(threads)
        try:
            fn()
        finally:
            torch.set_num_threads(before)

    return run


def candidates(x, t, rule, have_torch):
    found = {
        "lib": lib_epoch(x, t, rule),
        "lib.train": lib_train_epoch(x, t, rule),
        "sklearn": sklearn_epoch(x, t, rule),
        "sklearn x2": with_blas_threads(sklearn_epoch(x, t, rule), 2),
        "GEMM floor": gemm_floor(x, t),
        "GEMM floor x2": with_blas_threads(gemm_floor(x, t), 2),
    }
    if have_torch:
        found["torch"] = torch_epoch(x, t, rule)
        found["torch x1"] = with_torch_threads(torch_epoch(x, t, rule), 1)
    return found

"""Update-rule throughput: one ``update`` on 1 M and 10 M float32 parameters in ten arrays.

The floor is memory traffic.  An update must read and write every array of its state:
SGD reads the parameter and the gradient and writes the parameter (3 streams); Momentum
adds a velocity read and written (5); Adam adds two moments (7).  ``np.copyto`` over
the same arrays streams 2 (one read, one write), so a rule's floor is
``copyto time * streams / 2``.
"""

import numpy as np

from lib.optimizers import OPTIMIZERS

#: Arrays a rule must stream through memory per parameter: the parameter (read and
#: write), the gradient (read) and each state array (read and write).
STREAMS = {
    "sgd": 3,
    "momentum": 5,
    "nesterov": 5,
    "adagrad": 5,
    "rmsprop": 5,
    "adadelta": 7,
    "adam": 7,
    "adamw": 7,
    "radam": 7,
}

ARRAYS = 10


def parameters(total, seed=0):
    """``ARRAYS`` float32 parameter arrays and gradients adding up to ``total`` elements."""
    rng = np.random.default_rng(seed)
    size = total // ARRAYS
    params = {f"p{i}": rng.standard_normal(size, dtype=np.float32) for i in range(ARRAYS)}
    grads = {k: rng.standard_normal(size, dtype=np.float32) * 1e-3 for k in params}
    return params, grads


def lib_update(name, total):
    params, grads = parameters(total)
    opt = OPTIMIZERS[name]()
    opt.update(params, grads)  # creates the state outside the timing
    return lambda: opt.update(params, grads)


def copy_floor(total):
    params, _ = parameters(total)
    dst = {k: np.empty_like(v) for k, v in params.items()}
    return lambda: [np.copyto(dst[k], v) for k, v in params.items()]


def torch_update(name, total, foreach):
    """``torch.optim`` on the same sizes (for-loop or foreach implementation)."""
    import torch

    params, grads = parameters(total)
    tensors = []
    for key, value in params.items():
        p = torch.nn.Parameter(torch.from_numpy(value.copy()))
        p.grad = torch.from_numpy(grads[key].copy())
        tensors.append(p)
    make = {
        "sgd": lambda: torch.optim.SGD(tensors, lr=0.01, foreach=foreach),
        "momentum": lambda: torch.optim.SGD(tensors, lr=0.01, momentum=0.9, foreach=foreach),
        "nesterov": lambda: torch.optim.SGD(tensors, lr=0.01, momentum=0.9, nesterov=True,
                                            foreach=foreach),
        "adagrad": lambda: torch.optim.Adagrad(tensors, lr=0.01, foreach=foreach),
        "rmsprop": lambda: torch.optim.RMSprop(tensors, lr=0.01, alpha=0.99, foreach=foreach),
        "adadelta": lambda: torch.optim.Adadelta(tensors, lr=1.0, rho=0.95, eps=1e-6,
                                                 foreach=foreach),
        "adam": lambda: torch.optim.Adam(tensors, lr=1e-3, foreach=foreach),
        "adamw": lambda: torch.optim.AdamW(tensors, lr=1e-3, weight_decay=0.01, foreach=foreach),
        "radam": lambda: torch.optim.RAdam(tensors, lr=1e-3, foreach=foreach),
    }
    opt = make[name]()
    opt.step()

    def run():
        with torch.no_grad():
            opt.step()

    return run

"""Tests of lib.optimizers: each rule's fast kernel against its readable formula, both against
steps worked out by hand and against the forms other texts use; state, dtypes, checks and
clipping."""

import math
import tracemalloc

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from lib import fast_optimizers as fast
from lib import optimizers
from lib.optimizers import (
    OPTIMIZERS,
    SGD,
    AdaDelta,
    AdaGrad,
    Adam,
    AdamW,
    Momentum,
    Nesterov,
    RAdam,
    RMSProp,
    clip_grad_norm,
    clip_grad_value,
    make_optimizer,
)

ALL = list(OPTIMIZERS.values())


# (class, non-default hyperparameters, t before the update).  eps is large on purpose: with
# eps = 1e-8 a kernel that put eps in another place than its rule would go unnoticed.
CASES = [
    (SGD, {"lr": 0.05}, 0),
    (Momentum, {"lr": 0.05, "momentum": 0.8}, 3),
    (Nesterov, {"lr": 0.05, "momentum": 0.8}, 3),
    (AdaGrad, {"lr": 0.05, "eps": 0.1}, 3),
    (RMSProp, {"lr": 0.05, "rho": 0.7, "eps": 0.1}, 3),
    (AdaDelta, {"lr": 0.5, "rho": 0.7, "eps": 0.1}, 3),
    (Adam, {"lr": 0.05, "beta1": 0.8, "beta2": 0.95, "eps": 0.1}, 6),
    (AdamW, {"lr": 0.05, "beta1": 0.8, "beta2": 0.95, "eps": 0.1, "weight_decay": 0.3}, 6),
    (RAdam, {"lr": 0.05, "beta1": 0.8, "beta2": 0.95, "eps": 0.1}, 2),  # rho_t <= 5
    (RAdam, {"lr": 0.05, "beta1": 0.8, "beta2": 0.95, "eps": 0.1}, 20),  # rho_t > 5
]
CASE_IDS = [f"{c[0].__name__}-t{c[2]}" for c in CASES]

# Squared-gradient averages must be >= 0; the other states may have any sign.
NON_NEGATIVE_STATE = {"h", "u"} | {"v:AdaDelta", "v:Adam", "v:AdamW", "v:RAdam"}


def random_state(cls, shape, rng, dtype=np.float64):
    state = {}
    for name in cls.state_names:
        if name in NON_NEGATIVE_STATE or f"{name}:{cls.__name__}" in NON_NEGATIVE_STATE:
            state[name] = rng.uniform(0.01, 1.0, shape).astype(dtype)
        else:
            state[name] = rng.normal(0.0, 1.0, shape).astype(dtype)
    return state


def one_step(cls, hyper, t0, p0, g, s0, plain):
    """One update from an injected state, with the kernel or with the readable rule."""
    opt = cls(**hyper)
    opt.state["W"] = {k: v.copy() for k, v in s0.items()}
    opt.t = t0
    p = p0.copy()
    (opt.update_plain if plain else opt.update)({"W": p}, {"W": g})
    assert opt.t == t0 + 1
    return p, opt.state["W"]


def run_scalar(opt, w0, grads, plain=False):
    """Apply a fixed sequence of gradients to one scalar parameter; return the iterates."""
    opt.reset()
    w = np.array([w0])
    out = []
    for g in grads:
        (opt.update_plain if plain else opt.update)({"w": w}, {"w": np.array([g])})
        out.append(w[0])
    return out


# ---- 1. each kernel against its readable rule, from an injected state (sklearn style) ------


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 2e-6)])
@pytest.mark.parametrize(("cls", "hyper", "t0"), CASES, ids=CASE_IDS)
def test_kernel_matches_the_readable_rule_from_injected_state(cls, hyper, t0, dtype, rtol):
    rng = np.random.default_rng(0)
    p0 = rng.normal(size=(3, 4)).astype(dtype)
    g = rng.normal(size=(3, 4)).astype(dtype)
    s0 = random_state(cls, (3, 4), rng, dtype)
    fast_p, fast_state = one_step(cls, hyper, t0, p0, g, s0, plain=False)
    plain_p, plain_state = one_step(cls, hyper, t0, p0, g, s0, plain=True)
    assert fast_p.dtype == plain_p.dtype == dtype
    # the same numbers up to rounding: the kernels order some operations differently
    assert_allclose(fast_p, plain_p, rtol=rtol, atol=rtol)
    assert set(fast_state) == set(plain_state) == set(cls.state_names)
    for name in cls.state_names:
        assert_allclose(fast_state[name], plain_state[name], rtol=rtol, atol=rtol)


def test_the_kernel_check_can_fail():
    # The comparison above would catch a kernel that put eps in another place: Adam (eps on
    # sqrt(v_hat)) and RAdam past its warm-up (eps on sqrt(v)) differ measurably here.
    rng = np.random.default_rng(0)
    p0, g = rng.normal(size=5), rng.normal(size=5)
    s0 = {"m": rng.normal(size=5), "v": rng.uniform(0.01, 1.0, 5)}
    hyper = {"lr": 0.05, "beta1": 0.8, "beta2": 0.95, "eps": 0.1}
    adam_p, _ = one_step(Adam, hyper, 20, p0, g, s0, plain=False)
    radam_p, _ = one_step(RAdam, hyper, 20, p0, g, s0, plain=True)
    assert np.max(np.abs(adam_p - radam_p)) > 1e-3


# ---- 2. three steps by hand on a scalar: w0 = 1, gradients 1, -2, 0.5 ----------------------

GRADS = (1.0, -2.0, 0.5)

HAND = [
    # w1 = 1 - 0.1*1 = 0.9;  w2 = 0.9 + 0.2 = 1.1;  w3 = 1.1 - 0.05 = 1.05
    (SGD(lr=0.1), (0.9, 1.1, 1.05)),
    # v = -0.1, 0.11, 0.049  ->  w = 0.9, 1.01, 1.059
    (Momentum(lr=0.1, momentum=0.9), (0.9, 1.01, 1.059)),
    # b = 1, -1.1, -0.49;  w -= 0.1 * (g + 0.9 b): 0.19, -0.299, 0.0059
    (Nesterov(lr=0.1, momentum=0.9), (0.81, 1.109, 1.1031)),
    # h = 1, 5, 5.25;  w -= 0.1 g / (sqrt(h) + 1e-8)
    (AdaGrad(lr=0.1, eps=1e-8), (0.900000001, 0.9894427196999916, 0.9676209307716304)),
    # h = 0.1, 0.49, 0.466;  w -= 0.01 g / (sqrt(h) + 1e-8)
    (
        RMSProp(lr=0.01, rho=0.9, eps=1e-8),
        (0.9683772243983162, 0.9969486525615815, 0.9896241684775145),
    ),
    # v = 0.1, 0.49, 0.466;  Delta = -sqrt(u + 1e-6)/sqrt(v + 1e-6) g;  u = 0.9 u + 0.1 Delta^2;
    # w += 0.5 Delta
    (
        AdaDelta(lr=0.5, rho=0.9, eps=1e-6),
        (0.9984188690755507, 1.000439167052409, 0.999750838446647),
    ),
    # m = 0.1, -0.11, -0.049;  v = 0.001, 0.004999, 0.005244001;
    # m_hat = m / (1 - 0.9^t), v_hat = v / (1 - 0.999^t);  w -= 0.1 m_hat / (sqrt(v_hat) + 1e-8)
    (
        Adam(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8),
        (0.900000001, 0.9366103534720751, 0.9502794196738217),
    ),
    # as Adam, after w *= 1 - 0.1*0.1 at every step
    (
        AdamW(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.1),
        (0.890000001, 0.9177103534620751, 0.922202316129201),
    ),
    # rho_t = 1, 1.9995, 2.9987 <= 5: momentum steps w -= 0.1 m / (1 - 0.9^t):
    # 0.1/0.1 = 1;  -0.11/0.19 = -0.578947...;  -0.049/0.271 = -0.180811...
    (
        RAdam(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8),
        (0.9, 0.9578947368421053, 0.9759759176539134),
    ),
]


@pytest.mark.parametrize("plain", [False, True], ids=["kernel", "rule"])
@pytest.mark.parametrize(("opt", "expected"), HAND, ids=[type(o).__name__ for o, _ in HAND])
def test_three_steps_by_hand(opt, expected, plain):
    assert_allclose(run_scalar(opt, 1.0, GRADS, plain), expected, rtol=1e-12)


def test_adadelta_hand_state():
    # u after each of the three steps above (computed with Delta unscaled by lr = 0.5)
    opt = AdaDelta(lr=0.5, rho=0.9, eps=1e-6)
    us = []
    w = np.array([1.0])
    for g in GRADS:
        opt.update({"w": w}, {"w": np.array([g])})
        us.append(opt.state["w"]["u"][0])
    expected = (9.99990000099999e-7, 2.532632566209251e-6, 2.468887817392454e-6)
    assert_allclose(us, expected, rtol=1e-12)


def test_radam_adaptive_step_by_hand():
    # t = 9, beta2 = 0.999: rho_9 = 8.98666 > 5, r_9 = 0.0441048595597504.
    # m = 0.9*0.2 + 0.1*0.5 = 0.23;  v = 0.999*0.04 + 0.001*0.25 = 0.04021;
    # w = 1 - 0.1 * r * (0.23 / (1 - 0.9^9)) * sqrt(1 - 0.999^9) / (sqrt(0.04021) + 1e-8)
    opt = RAdam(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    opt.state["w"] = {"m": np.array([0.2]), "v": np.array([0.04])}
    opt.t = 8
    w = np.array([1.0])
    opt.update({"w": w}, {"w": np.array([0.5])})
    # (rho_t = rho_inf - 2t b^t/(1 - b^t) cancels ~3 digits, in every implementation)
    assert_allclose(opt.rho_t(), 8.986660013801772, rtol=1e-11)
    assert_allclose(opt.state["w"]["m"], [0.23], rtol=1e-14)
    assert_allclose(opt.state["w"]["v"], [0.04021], rtol=1e-14)
    assert_allclose(w, [0.9992181243101435], rtol=1e-14)


# ---- 3. the forms of Deep Learning from Scratch and of PyTorch ------------------------------


def quadratic_grad(w):
    """Gradient of a fixed, ill-conditioned quadratic bowl, so that iterates feed back."""
    return np.array([0.1, 1.0, 3.0]) * w


def iterate(step, w0, n=30):
    """Run ``step(w, g)`` (which updates w in place) for n steps; return all iterates."""
    w = w0.copy()
    out = []
    for _ in range(n):
        step(w, quadratic_grad(w))
        out.append(w.copy())
    return np.array(out)


def ours(opt):
    return lambda w, g: opt.update({"w": w}, {"w": g})


W0 = np.array([-7.0, 2.0, 0.5])


def dlfs_nesterov(lr, momentum, *, fixed):
    """Deep Learning from Scratch's Nesterov: after its 2021 fix (fixed=True) and before."""
    v = np.zeros(3)

    def step(w, g):
        nonlocal v
        if fixed:  # W uses v before v is updated
            w += momentum * momentum * v
            w -= (1 + momentum) * lr * g
            v *= momentum
            v -= lr * g
        else:  # v updated first: a different rule
            v *= momentum
            v -= lr * g
            w += momentum * momentum * v
            w -= (1 + momentum) * lr * g

    return step


def test_dlfs_nesterov_rewrite_equals_ours():
    expected = iterate(ours(Nesterov(lr=0.05, momentum=0.9)), W0)
    assert_allclose(iterate(dlfs_nesterov(0.05, 0.9, fixed=True), W0), expected, rtol=1e-12)


def test_dlfs_nesterov_old_order_is_a_different_rule():
    expected = iterate(ours(Nesterov(lr=0.05, momentum=0.9)), W0)
    old = iterate(dlfs_nesterov(0.05, 0.9, fixed=False), W0)
    assert np.max(np.abs(old - expected)) > 0.1


def dlfs_adam(lr, beta1, beta2, eps_hat):
    """Deep Learning from Scratch's Adam: corrections folded into lr_t, eps_hat(t) on sqrt(v)."""
    m = np.zeros(3)
    v = np.zeros(3)
    it = 0

    def step(w, g):
        nonlocal it
        it += 1
        lr_t = lr * np.sqrt(1.0 - beta2**it) / (1.0 - beta1**it)
        m[:] += (1 - beta1) * (g - m)
        v[:] += (1 - beta2) * (g**2 - v)
        w -= lr_t * m / (np.sqrt(v) + eps_hat(it))

    return step


def test_dlfs_adam_with_scaled_eps_equals_ours():
    # eps_hat_t = eps * sqrt(1 - beta2^t) makes the folded form exactly Algorithm 1
    eps = 1e-3
    expected = iterate(ours(Adam(lr=0.1, eps=eps)), W0)
    folded = dlfs_adam(0.1, 0.9, 0.999, lambda t: eps * math.sqrt(1 - 0.999**t))
    assert_allclose(iterate(folded, W0), expected, rtol=1e-12)


def test_dlfs_adam_equals_ours_when_eps_is_negligible():
    expected = iterate(ours(Adam(lr=0.1, eps=1e-300)), W0)
    assert_allclose(iterate(dlfs_adam(0.1, 0.9, 0.999, lambda t: 1e-300), W0), expected, rtol=1e-12)


def test_dlfs_adam_with_constant_eps_differs_only_slightly():
    # the book's constant 1e-7 on sqrt(v) vs our 1e-8 on sqrt(v_hat): close, not identical
    expected = iterate(ours(Adam(lr=0.1)), W0)
    theirs = iterate(dlfs_adam(0.1, 0.9, 0.999, lambda t: 1e-7), W0)
    assert_allclose(theirs, expected, rtol=1e-5, atol=1e-5)
    assert np.any(theirs != expected)


def test_dlfs_momentum_adagrad_rmsprop_equal_ours():
    v = np.zeros(3)
    h_ada = np.zeros(3)
    h_rms = np.zeros(3)

    def dlfs_momentum(w, g):
        v[:] = 0.9 * v - 0.01 * g
        w += v

    def dlfs_adagrad(w, g):
        h_ada[:] += g * g
        w -= 0.1 * g / (np.sqrt(h_ada) + 1e-7)

    def dlfs_rmsprop(w, g):
        h_rms[:] *= 0.99
        h_rms[:] += (1 - 0.99) * g * g
        w -= 0.01 * g / (np.sqrt(h_rms) + 1e-7)

    pairs = [
        (dlfs_momentum, Momentum(lr=0.01, momentum=0.9)),
        (dlfs_adagrad, AdaGrad(lr=0.1, eps=1e-7)),
        (dlfs_rmsprop, RMSProp(lr=0.01, rho=0.99, eps=1e-7)),
    ]
    for theirs, opt in pairs:
        assert_allclose(iterate(theirs, W0), iterate(ours(opt), W0), rtol=1e-12)


def test_pytorch_momentum_buffer_form_equals_velocity_form():
    b = np.zeros(3)

    def torch_momentum(w, g):  # b <- mu b + g;  W <- W - lr b
        b[:] = 0.9 * b + g
        w -= 0.02 * b

    assert_allclose(
        iterate(torch_momentum, W0), iterate(ours(Momentum(lr=0.02, momentum=0.9)), W0), rtol=1e-12
    )


# ---- 4. RAdam's warm-up, AdamW's decay, AdaDelta's lr -------------------------------------


def test_radam_threshold_at_default_beta2():
    rho_inf = 2 / (1 - 0.999) - 1
    rho = [rho_inf - 2 * t * 0.999**t / (1 - 0.999**t) for t in range(1, 8)]
    assert max(rho[:5]) <= 5 < rho[5]  # t = 1..5 momentum steps, t = 6 the first adaptive one
    assert_allclose([RAdam().rho_t(t) for t in range(1, 8)], rho, rtol=1e-12)


def test_radam_first_steps_are_unadapted_momentum_steps():
    rng = np.random.default_rng(1)
    grads = rng.normal(size=(7, 4)) * 10.0  # large gradients: an adaptive step would differ
    w = np.zeros(4)
    opt = RAdam(lr=0.01)
    m = np.zeros(4)
    for t, g in enumerate(grads, start=1):
        before = w.copy()
        opt.update({"w": w}, {"w": g})
        m = 0.9 * m + 0.1 * g
        momentum_step = before - 0.01 * m / (1 - 0.9**t)
        if t <= 5:
            assert_allclose(w, momentum_step, rtol=1e-13, atol=1e-15)
        else:
            assert np.max(np.abs(w - momentum_step)) > 1e-3


def test_adamw_without_decay_is_adam_exactly():
    rng = np.random.default_rng(2)
    grads = rng.normal(size=(10, 5)).astype(np.float32)
    w1 = rng.normal(size=5).astype(np.float32)
    w2 = w1.copy()
    adam, adamw = Adam(lr=0.01), AdamW(lr=0.01, weight_decay=0.0)
    for g in grads:
        adam.update({"w": w1}, {"w": g})
        adamw.update({"w": w2}, {"w": g})
    assert_array_equal(w1, w2)
    assert_array_equal(adam.state["w"]["v"], adamw.state["w"]["v"])


def test_adamw_decay_is_decoupled_and_scaled_by_lr():
    # with zero gradients the Adam step is 0/(0 + eps) = 0: only W <- (1 - lr*lambda) W remains
    w = np.array([1.0, -2.0])
    opt = AdamW(lr=0.1, weight_decay=0.5)
    for _ in range(4):
        opt.update({"w": w}, {"w": np.zeros(2)})
    assert_allclose(w, np.array([1.0, -2.0]) * 0.95**4, rtol=1e-14)


def test_adadelta_lr_scales_only_the_applied_step():
    rng = np.random.default_rng(3)
    grads = rng.normal(size=(6, 4))
    p1, p2 = np.zeros(4), np.zeros(4)
    full, quarter = AdaDelta(lr=1.0), AdaDelta(lr=0.25)
    for g in grads:
        full.update({"w": p1}, {"w": g})
        quarter.update({"w": p2}, {"w": g})
    assert_array_equal(full.state["w"]["u"], quarter.state["w"]["u"])
    assert_array_equal(full.state["w"]["v"], quarter.state["w"]["v"])
    assert_allclose(p2, 0.25 * p1, rtol=1e-12)


# ---- 5. state, in-place updates, dtypes, chunking ------------------------------------------


@pytest.mark.parametrize("cls", ALL)
def test_state_is_lazy_inspectable_and_reset(cls):
    opt = cls()
    assert opt.state == {} and opt.t == 0
    params = {"W": np.ones((2, 3)), "b": np.zeros(3)}
    grads = {"W": np.full((2, 3), 0.5), "b": np.ones(3)}
    opt.update(params, grads)
    assert opt.t == 1
    assert set(opt.state) == {"W", "b"}
    for key, p in params.items():
        assert set(opt.state[key]) == set(cls.state_names)
        for arr in opt.state[key].values():
            assert arr.shape == p.shape and arr.dtype == p.dtype
    after_one = {k: v.copy() for k, v in params.items()}
    opt.update(params, grads)
    opt.reset()
    assert opt.state == {} and opt.t == 0
    params = {"W": np.ones((2, 3)), "b": np.zeros(3)}
    opt.update(params, grads)  # after reset: the same as a fresh first step
    for key in params:
        assert_array_equal(params[key], after_one[key])


@pytest.mark.parametrize("cls", ALL)
def test_updates_in_place_and_leaves_grads_alone(cls):
    rng = np.random.default_rng(4)
    p = rng.normal(size=(4, 3))
    g = rng.normal(size=(4, 3))
    g_copy = g.copy()
    params = {"W": p}
    p_before = p.copy()
    cls().update(params, {"W": g})
    assert params["W"] is p
    assert not np.array_equal(p, p_before)
    assert_array_equal(g, g_copy)


@pytest.mark.parametrize("cls", ALL)
def test_float32_stays_float32_and_agrees_with_float64(cls):
    rng = np.random.default_rng(5)
    p64 = rng.normal(size=(5, 7))
    grads = rng.normal(size=(3, 5, 7))
    p32 = p64.astype(np.float32)
    o64, o32 = cls(), cls()
    for g in grads:
        o64.update({"W": p64}, {"W": g})
        o32.update({"W": p32}, {"W": g.astype(np.float32)})
    assert p32.dtype == np.float32
    assert all(a.dtype == np.float32 for a in o32.state["W"].values())
    assert_allclose(p32, p64, rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("cls", ALL)
def test_float32_param_with_float64_grad_stays_float32(cls):
    p = np.ones(4, dtype=np.float32)
    cls().update({"W": p}, {"W": np.full(4, 0.5)})
    assert p.dtype == np.float32


@pytest.mark.parametrize("cls", ALL)
def test_noncontiguous_and_zero_dimensional_parameters(cls):
    rng = np.random.default_rng(6)
    mat = np.asfortranarray(rng.normal(size=(30, 20)))  # not C-contiguous
    scalar = np.array(0.7)  # a 0-d parameter
    grads = [
        {"mat": rng.normal(size=(20, 30)).T, "scalar": np.array(rng.normal())}  # a transposed view
        for _ in range(3)
    ]
    reference = {"mat": mat.copy(order="C"), "scalar": scalar.copy()}
    params = {"mat": mat, "scalar": scalar}
    mine, theirs = cls(), cls()
    for g in grads:
        mine.update(params, g)
        theirs.update(reference, {k: v.copy(order="C") for k, v in g.items()})
    for key in params:
        assert_array_equal(params[key], reference[key])


@pytest.mark.parametrize("cls", ALL)
def test_no_new_memory_after_the_first_update(cls):
    n = 1 << 20  # 4 MiB of float32
    p = np.zeros(n, dtype=np.float32)
    g = np.full(n, 0.5, dtype=np.float32)
    opt = cls()
    opt.update({"W": p}, {"W": g})  # creates the state and the scratch arrays
    tracemalloc.start()
    try:
        opt.update({"W": p}, {"W": g})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < n * 4 // 100  # no temporary, not even a small fraction of the parameter


# ---- 6. checks -----------------------------------------------------------------------------

BAD = [
    (SGD, "lr", 0.0),
    (SGD, "lr", -1.0),
    (SGD, "lr", float("nan")),
    (SGD, "lr", float("inf")),
    (SGD, "lr", "fast"),
    (Momentum, "momentum", 1.0),
    (Momentum, "momentum", -0.1),
    (Nesterov, "momentum", 1.5),
    (AdaGrad, "eps", 0.0),
    (RMSProp, "rho", 1.01),
    (RMSProp, "rho", -0.1),
    (AdaDelta, "rho", 2.0),
    (AdaDelta, "eps", -1e-6),
    (Adam, "beta1", 1.0),
    (Adam, "beta2", -0.5),
    (Adam, "eps", 0.0),
    (AdamW, "weight_decay", -0.1),
    (RAdam, "beta2", 1.0),
    (RAdam, "lr", 0),
]


BAD_IDS = [f"{c.__name__}-{a}-{v}" for c, a, v in BAD]


@pytest.mark.parametrize(("cls", "arg", "value"), BAD, ids=BAD_IDS)
def test_bad_hyperparameters_raise_naming_the_argument(cls, arg, value):
    with pytest.raises(ValueError, match=rf"^{arg} must"):
        cls(**{arg: value})


def test_hyperparameters_are_checked_when_changed_and_take_effect():
    opt = SGD(lr=0.1)
    with pytest.raises(ValueError, match="^lr must"):
        opt.lr = -0.1
    opt.lr = np.float64(0.5)  # stored as a Python float: no float64 scalar reaches the arrays
    assert type(opt.lr) is float
    w = np.array([1.0], dtype=np.float32)
    opt.update({"w": w}, {"w": np.array([1.0], dtype=np.float32)})
    assert w[0] == 0.5 and w.dtype == np.float32


def test_edge_hyperparameters_are_allowed():
    assert RMSProp(rho=1.0).rho == 1.0
    assert AdaDelta(rho=0.0).rho == 0.0
    assert Momentum(momentum=0.0).momentum == 0.0
    assert AdamW(weight_decay=0.0).weight_decay == 0.0


def test_mismatched_keys_and_shapes_raise_and_change_nothing():
    opt = Adam()
    params = {"W": np.ones(3), "b": np.ones(2)}
    with pytest.raises(ValueError, match=r"^grads must have the same keys.*missing: \['b'\]"):
        opt.update(params, {"W": np.ones(3)})
    with pytest.raises(ValueError, match=r"^grads must have the same keys.*unexpected: \['x'\]"):
        opt.update(params, {"W": np.ones(3), "b": np.ones(2), "x": np.ones(1)})
    with pytest.raises(ValueError, match=r"^grads\['b'\] must have the shape"):
        opt.update(params, {"W": np.ones(3), "b": np.ones(3)})
    with pytest.raises(ValueError, match=r"^params\['b'\] must be a floating-point ndarray"):
        opt.update(
            {"W": np.ones(3), "b": np.ones(2, dtype=int)}, {"W": np.ones(3), "b": np.ones(2)}
        )
    with pytest.raises(ValueError, match=r"^params must be a dict"):
        opt.update([np.ones(3)], {"W": np.ones(3)})
    assert opt.t == 0 and opt.state == {}
    assert_array_equal(params["W"], np.ones(3))


@pytest.mark.parametrize("cls", ALL)
def test_divergence_is_silent_and_visible(cls):
    # pytest turns RuntimeWarning into errors: overflow must not warn, but must show as non-finite
    p = np.full(3, 3e38, dtype=np.float32)
    g = np.full(3, 3e38, dtype=np.float32)
    opt = cls(lr=1e3)
    opt.update({"W": p}, {"W": g})
    opt.update({"W": p}, {"W": g})
    finite = np.all(np.isfinite(p)) and all(np.all(np.isfinite(a)) for a in opt.state["W"].values())
    assert not finite


# ---- 7. registry, repr, LaTeX ----------------------------------------------------------------


def test_registry_and_factory():
    assert list(OPTIMIZERS) == [
        "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "radam"
    ]  # fmt: skip
    opt = make_optimizer("Adam", lr=0.01, beta1=0.8)
    assert isinstance(opt, Adam) and opt.lr == 0.01 and opt.beta1 == 0.8
    with pytest.raises(ValueError, match="^name must be one of 'sgd', 'momentum', .*got 'adamax'"):
        make_optimizer("adamax")
    with pytest.raises(ValueError, match="^SGD's hyperparameter must be one of 'lr', got 'mom"):
        make_optimizer("sgd", momentum=0.9)


@pytest.mark.parametrize("cls", ALL)
def test_defaults_and_repr_round_trip(cls):
    defaults = {
        SGD: {"lr": 0.01},
        Momentum: {"lr": 0.01, "momentum": 0.9},
        Nesterov: {"lr": 0.01, "momentum": 0.9},
        AdaGrad: {"lr": 0.01, "eps": 1e-8},
        RMSProp: {"lr": 0.01, "rho": 0.99, "eps": 1e-8},
        AdaDelta: {"lr": 1.0, "rho": 0.95, "eps": 1e-6},
        Adam: {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
        AdamW: {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01},
        RAdam: {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    }[cls]
    opt = cls()
    assert opt.hyperparameters == defaults
    rebuilt = eval(repr(opt), vars(optimizers))
    assert type(rebuilt) is cls and rebuilt.hyperparameters == defaults
    assert repr(cls(lr=0.5)).startswith(f"{cls.__name__}(lr=0.5")


@pytest.mark.parametrize("cls", ALL)
def test_docstring_carries_the_formula_naming_every_argument(cls):
    tex = cls.latex()
    assert tex.startswith(r"\begin{aligned}") and tex.endswith(r"\end{aligned}")
    for name in cls.hyperparameter_names:
        assert r"\mathtt{" + name.replace("_", r"\_") + "}" in tex
    assert r"W \leftarrow" in tex
    doc = cls.__doc__
    assert "Variant:" in doc
    assert any(str(year) in doc for year in range(1950, 2030))  # cites its paper
    for name in cls.state_names:
        assert f"``{name}``" in doc  # names its state


# ---- 8. gradient clipping ------------------------------------------------------------------


def test_clip_grad_norm_scales_all_gradients_together():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[0.0], [4.0]])}  # global norm 5
    a = grads["a"]
    norm = clip_grad_norm(grads, max_norm=1.0)
    assert norm == 5.0
    assert grads["a"] is a  # in place
    assert_allclose(grads["a"], [3.0 / (5 + 1e-6), 0.0])
    assert_allclose(grads["b"], [[0.0], [4.0 / (5 + 1e-6)]])
    total = math.sqrt(sum(float(np.sum(g * g)) for g in grads.values()))
    assert total <= 1.0


def test_clip_grad_norm_leaves_small_gradients_alone_and_keeps_dtype():
    grads = {"a": np.array([0.3, 0.4], dtype=np.float32)}
    assert_allclose(clip_grad_norm(grads, max_norm=1.0), 0.5, rtol=1e-6)
    assert_array_equal(grads["a"], np.array([0.3, 0.4], dtype=np.float32))
    grads = {"a": np.array([30.0, 40.0], dtype=np.float32)}
    clip_grad_norm(grads, max_norm=1.0)
    assert grads["a"].dtype == np.float32
    assert_allclose(grads["a"], [0.6, 0.8], rtol=1e-5)


def test_clip_grad_norm_of_non_finite_gradients_is_reported_without_warnings():
    assert clip_grad_norm({"a": np.array([np.inf, 1.0])}, 1.0) == math.inf
    assert math.isnan(clip_grad_norm({"a": np.array([np.nan, 1.0])}, 1.0))


def test_clip_grad_value():
    grads = {"a": np.array([-3.0, 0.5, 2.0]), "b": np.array([[10.0]], dtype=np.float32)}
    clip_grad_value(grads, clip_value=1.0)
    assert_array_equal(grads["a"], [-1.0, 0.5, 1.0])
    assert_array_equal(grads["b"], [[1.0]])
    assert grads["b"].dtype == np.float32


@pytest.mark.parametrize(
    ("fn", "arg"), [(clip_grad_norm, "max_norm"), (clip_grad_value, "clip_value")]
)
def test_clip_helpers_reject_bad_limits(fn, arg):
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match=rf"^{arg} must"):
            fn({"a": np.ones(2)}, bad)


@pytest.mark.parametrize("cls", [c for c in ALL if c.state_names])
def test_subnormal_state_is_flushed_to_zero(cls):
    tiny = float(np.finfo(np.float32).tiny)
    p = np.ones(8, dtype=np.float32)
    opt = cls()
    opt.update({"W": p}, {"W": np.full(8, 0.5, dtype=np.float32)})
    values = np.array([tiny / 4, -tiny / 8, 0.25, -0.5, tiny * 2, 0, 1e-20, -1e-30], np.float32)
    for name in cls.state_names:
        opt.state["W"][name][...] = values
    fast.flush_subnormals([a for a in opt.state["W"].values()], fast.Scratch())
    for name in cls.state_names:
        expected = np.where(np.abs(values) < tiny, 0, values).astype(np.float32)
        assert_array_equal(opt.state["W"][name], expected)
    # and it happens on its own every flush_every updates
    for name in cls.state_names:
        opt.state["W"][name][...] = tiny / 4
    zero = {"W": np.zeros(8, dtype=np.float32)}
    while opt.t % opt.flush_every:
        opt.update({"W": p}, zero)
    for name in cls.state_names:
        state = opt.state["W"][name]
        assert not np.any((state != 0) & (np.abs(state) < tiny))

"""Tests of lib.surfaces: analytic gradients against central differences, the minima, and
trajectories (exact on the quadratic, clean stops on divergence, no warnings)."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from lib.optimizers import OPTIMIZERS, SGD, Adam, make_optimizer
from lib.surfaces import (
    FAR,
    SURFACES,
    Surface,
    bowl,
    diverged_at,
    get_surface,
    loss_gap,
    run_rules,
    trajectory,
)

NAMES = ["quadratic", "rotated", "beale", "rosenbrock", "saddle", "himmelblau"]


def random_points(surface, n, seed=0):
    rng = np.random.default_rng(seed)
    (x0, x1), (y0, y1) = surface.bounds
    return rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)


def central_differences(surface, x, y, h=1e-6):
    dfdx = (surface.f(x + h, y) - surface.f(x - h, y)) / (2 * h)
    dfdy = (surface.f(x, y + h) - surface.f(x, y - h)) / (2 * h)
    return dfdx, dfdy


def test_the_book_surfaces_are_there():
    assert set(NAMES) <= set(SURFACES)
    for name, surface in SURFACES.items():
        assert surface.name == name
        assert surface.formula.startswith("f(x, y) =")


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_central_differences(name):
    surface = SURFACES[name]
    x, y = random_points(surface, 200)
    analytic = np.array(surface.grad(x, y))
    numeric = np.array(central_differences(surface, x, y))
    relative = np.abs(analytic - numeric) / np.maximum(1.0, np.abs(analytic) + np.abs(numeric))
    assert relative.max() < 1e-6


@pytest.mark.parametrize("name", NAMES)
def test_scalars_and_broadcasting(name):
    surface = SURFACES[name]
    xs = np.linspace(-1.0, 1.0, 5)[:, None]
    ys = np.linspace(-0.5, 0.5, 4)[None, :]
    dfdx, dfdy = surface.grad(xs, ys)
    assert dfdx.shape == dfdy.shape == (5, 4)
    assert surface.f(xs, ys).shape == (5, 4)
    assert_allclose(dfdx[2, 1], surface.grad(0.0, float(ys[0, 1]))[0], rtol=1e-14)
    assert_allclose(dfdy[4, 3], surface.grad(1.0, 0.5)[1], rtol=1e-14)
    assert np.ndim(surface.f(0.3, -0.2)) == 0
    assert all(np.ndim(d) == 0 for d in surface.grad(0.3, -0.2))


@pytest.mark.parametrize("name", NAMES)
def test_minima_are_stationary_global_minima_inside_the_bounds(name):
    surface = SURFACES[name]
    assert surface.minima.ndim == 2 and surface.minima.shape[1] == 2
    (x0, x1), (y0, y1) = surface.bounds
    x, y = random_points(surface, 2000, seed=1)
    for mx, my in surface.minima:
        assert x0 <= mx <= x1 and y0 <= my <= y1
        assert_allclose(surface.grad(mx, my), (0.0, 0.0), atol=1e-12)
        assert surface.f(mx, my) <= surface.f(x, y).min()
        assert abs(surface.f(mx, my)) < 1e-24  # all of these have minimum value 0


def test_minima_counts():
    assert len(SURFACES["himmelblau"].minima) == 4
    assert SURFACES["saddle"].minima.shape == (0, 2)
    assert_array_equal(SURFACES["beale"].minima, [[3.0, 0.5]])
    assert_array_equal(SURFACES["rosenbrock"].minima, [[1.0, 1.0]])


def test_the_saddle_is_a_saddle():
    s = SURFACES["saddle"]
    assert s.grad(0.0, 0.0) == (0.0, 0.0)
    assert s.f(0.1, 0.0) > 0.0 > s.f(0.0, 0.1)


@pytest.mark.parametrize("name", NAMES)
def test_start_is_inside_the_bounds_and_far_box_contains_them(name):
    surface = SURFACES[name]
    (x0, x1), (y0, y1) = surface.bounds
    assert x0 < surface.start[0] < x1 and y0 < surface.start[1] < y1
    (fx0, fx1), (fy0, fy1) = surface.far_box
    assert fx0 < x0 and x1 < fx1 and fy0 < y0 and y1 < fy1
    assert_allclose(fx1 - fx0, FAR * (x1 - x0))


def test_mesh():
    surface = SURFACES["quadratic"]
    x, y, z = surface.mesh(n=7)
    assert x.shape == y.shape == z.shape == (7, 7)
    assert (x.min(), x.max(), y.min(), y.max()) == (-10.0, 10.0, -5.0, 5.0)
    assert_allclose(z, x**2 / 20 + y**2)


def test_get_surface():
    assert get_surface("beale") is SURFACES["beale"]
    assert get_surface("Beale") is SURFACES["beale"]
    custom = Surface("bowl", lambda x, y: x * x + y * y, lambda x, y: (2 * x, 2 * y),
                     bounds=((-1, 1), (-1, 1)), minima=[(0, 0)], start=(0.5, 0.5))  # fmt: skip
    assert get_surface(custom) is custom
    with pytest.raises(ValueError, match="^surface must be one of 'quadratic', .*got 'booth'"):
        get_surface("booth")


def test_surface_checks_its_bounds():
    with pytest.raises(ValueError, match="^bounds must be"):
        Surface("bad", SURFACES["saddle"].f, SURFACES["saddle"].grad,
                bounds=((1, -1), (-1, 1)), minima=[], start=(0, 0))  # fmt: skip


# ---- trajectories ----------------------------------------------------------------------------


def test_sgd_on_the_quadratic_follows_the_closed_form():
    # x <- x - lr x/10 and y <- y - lr 2y, so x_k = -7 (1 - lr/10)^k and y_k = 2 (1 - 2 lr)^k
    lr, k = 0.3, np.arange(51)
    path = trajectory(SGD(lr=lr), "quadratic", steps=50)
    assert path.shape == (51, 2) and path.dtype == np.float64
    expected = np.stack([-7.0 * (1 - lr / 10) ** k, 2.0 * (1 - 2 * lr) ** k], axis=1)
    assert_allclose(path, expected, rtol=1e-12)


def test_divergence_stops_cleanly_with_nan_rows():
    # lr = 1.5: y_k = 2 (-2)^k leaves the far box |y| <= 500 at k = 8 (|y_8| = 512)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = trajectory(SGD(lr=1.5), "quadratic", steps=30)
    assert path.shape == (31, 2)
    assert np.all(np.isfinite(path[:8]))
    assert np.all(np.isnan(path[8:]))
    assert_allclose(path[:8, 1], 2.0 * (-2.0) ** np.arange(8), rtol=1e-12)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("opt_name", list(OPTIMIZERS))
def test_wild_learning_rates_never_warn(name, opt_name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = trajectory(make_optimizer(opt_name, lr=1e3), name, steps=40)
    finite = np.isfinite(path).all(axis=1)
    first_bad = np.argmin(finite) if not finite.all() else len(path)
    assert finite[:first_bad].all() and np.isnan(path[first_bad:]).all()


def test_non_finite_iterate_stops_the_path():
    # a cone whose gradient is NaN at the origin, where SGD lands exactly
    cone = Surface("cone", lambda x, y: np.sqrt(x * x + y * y),
                   lambda x, y: (x / np.sqrt(x * x + y * y), y / np.sqrt(x * x + y * y)),
                   bounds=((-2, 2), (-2, 2)), minima=[(0, 0)], start=(1.0, 0.0))  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = trajectory(SGD(lr=1.0), cone, steps=5)
    assert_array_equal(path[:2], [[1.0, 0.0], [0.0, 0.0]])
    assert np.isnan(path[2:]).all()


@pytest.mark.parametrize("opt_name", list(OPTIMIZERS))
def test_every_rule_runs_on_2d_params_and_descends(opt_name):
    surface = SURFACES["quadratic"]
    opt = make_optimizer(opt_name)  # defaults
    path = trajectory(opt, surface, steps=100)
    assert np.isfinite(path).all()
    assert surface.f(*path[-1]) < surface.f(*path[0])
    assert opt.t == 100 and set(opt.state) == {"xy"}
    assert all(a.shape == (2,) and a.dtype == np.float64 for a in opt.state["xy"].values())


def test_adam_finds_a_himmelblau_minimum():
    surface = SURFACES["himmelblau"]
    path = trajectory(Adam(lr=0.1), surface, steps=1000)
    distance = np.linalg.norm(surface.minima - path[-1], axis=1).min()
    assert distance < 1e-3


def test_trajectory_resets_the_optimizer_and_uses_start():
    opt = Adam(lr=0.05)
    first = trajectory(opt, "rosenbrock", start=(0.0, 2.0), steps=20)
    again = trajectory(opt, "rosenbrock", start=(0.0, 2.0), steps=20)
    assert_array_equal(first, again)
    assert_array_equal(first[0], [0.0, 2.0])
    assert_array_equal(trajectory(opt, "beale", steps=0), [SURFACES["beale"].start])


@pytest.mark.parametrize(("kwargs", "arg"), [
    ({"steps": -1}, "steps"),
    ({"steps": 2.5}, "steps"),
    ({"steps": True}, "steps"),
    ({"start": (np.nan, 0.0)}, "start"),
    ({"start": (1.0, 2.0, 3.0)}, "start"),
])  # fmt: skip
def test_trajectory_rejects_bad_input(kwargs, arg):
    with pytest.raises(ValueError, match=f"^{arg} must"):
        trajectory(SGD(), "saddle", **kwargs)


def test_run_rules_and_diverged_at():
    paths = run_rules("quadratic", {"sgd": {"lr": 0.95}, "Adam": {"lr": 0.3}},
                      start=(-7, 2), steps=30)
    assert list(paths) == ["sgd", "adam"]
    assert_array_equal(paths["adam"], trajectory(Adam(lr=0.3), "quadratic", (-7, 2), 30))
    assert diverged_at(paths["sgd"]) is None
    path = np.zeros((5, 2))
    path[3:] = np.nan
    assert diverged_at(path) == 3
    with pytest.raises(ValueError, match="settings"):
        run_rules("quadratic", [("sgd", {})])
    with pytest.raises(ValueError, match="^name must be one of"):
        run_rules("quadratic", {"newton": {}})


def test_the_rotated_bowl_is_the_bowl_turned_by_45_degrees():
    bowl20, rotated = SURFACES["quadratic"], SURFACES["rotated"]
    c = s = 1 / np.sqrt(2)
    x, y = random_points(bowl20, 50, seed=4)
    X, Y = c * x - s * y, s * x + c * y  # the point (x, y) turned by 45 degrees
    assert_allclose(rotated.f(X, Y), bowl20.f(x, y), rtol=1e-12, atol=1e-14)
    gx, gy = bowl20.grad(x, y)
    GX, GY = rotated.grad(X, Y)
    assert_allclose(GX, c * gx - s * gy, atol=1e-12)  # the gradient turns with the point
    assert_allclose(GY, s * gx + c * gy, atol=1e-12)
    # SGD only sees lengths and angles: its path is the bowl's path, turned.
    path, turned = (trajectory(SGD(lr=0.95), name, steps=30) for name in ("quadratic", "rotated"))
    assert_allclose(turned[:, 0], c * path[:, 0] - s * path[:, 1], atol=1e-9)
    # Adam rescales each coordinate: the turn changes its path, not just its orientation.
    path, turned = (trajectory(Adam(lr=0.3), name, steps=30) for name in ("quadratic", "rotated"))
    assert np.abs(turned[:, 0] - (c * path[:, 0] - s * path[:, 1])).max() > 0.1


def test_gradient_noise_is_seeded_and_shared_between_rules():
    quiet = trajectory(SGD(lr=0.1), "quadratic", steps=20)
    noisy = trajectory(SGD(lr=0.1), "quadratic", steps=20, noise=0.5, seed=1)
    assert_array_equal(noisy, trajectory(SGD(lr=0.1), "quadratic", steps=20, noise=0.5, seed=1))
    assert not np.allclose(noisy, quiet)
    # SGD is linear in the gradient: the noise moves the path by lr times its running sum
    kicks = 0.5 * np.random.default_rng(1).standard_normal((20, 2))
    drift = np.zeros(2)
    for k in range(20):
        drift = drift * np.array([1 - 0.1 / 10, 1 - 0.1 * 2]) - 0.1 * kicks[k]
    assert_allclose(noisy[-1] - quiet[-1], drift, atol=1e-12)
    with pytest.raises(ValueError, match="^noise must be"):
        trajectory(SGD(), "quadratic", noise=-1.0)


def test_loss_gap_and_bowl():
    path = np.array([[0.0, 0.0], [2.0, 1.0], [np.nan, np.nan]])
    gap = loss_gap("quadratic", path)
    assert_allclose(gap[:2], [0.0, 0.2 + 1.0])
    assert np.isnan(gap[2])
    assert_allclose(loss_gap("saddle", path[:2]), [0.0, 3.0])  # no minimum: f itself
    b = bowl(20.0, lam_max=2.0)  # the book's bowl
    x, y = random_points(SURFACES["quadratic"], 10)
    assert_allclose(b.f(x, y), SURFACES["quadratic"].f(x, y))
    with pytest.raises(ValueError, match="^kappa must be"):
        bowl(0.5)

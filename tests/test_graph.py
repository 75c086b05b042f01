"""lib.graph: every operation's local derivative, and backward, against central differences."""

import math

import numpy as np
import pytest

from lib.gradcheck import numerical_gradient
from lib.graph import Node, neuron, topological_order

LEAVES = ("x1", "w1", "x2", "w2", "b")


def neuron_loss(v, t=1.0):
    """L of :func:`neuron` written out with floats: v = (x1, w1, x2, w2, b)."""
    x1, w1, x2, w2, b = v
    y = 1.0 / (1.0 + math.exp(-(w1 * x1 + w2 * x2 + b)))
    return 0.5 * (y - t) ** 2


@pytest.mark.parametrize("values", [(1.0, 0.6, 2.0, -0.4, 0.1, 1.0),
                                    (-2.5, 3.0, 0.3, -1.7, 2.0, 0.2),
                                    (0.0, 0.0, 0.0, 0.0, 0.0, 0.5)])
def test_neuron_gradients_match_central_differences(values):
    *leaves, t = values
    nodes = neuron(*values)
    nodes["L"].backward()
    assert nodes["L"].value == pytest.approx(neuron_loss(leaves, t), rel=1e-14)
    numeric = numerical_gradient(lambda v: neuron_loss(v, t), np.array(leaves))
    analytic = [nodes[k].grad for k in LEAVES]
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-10)


def test_neuron_by_hand():
    # z = 0.6 - 0.8 + 0.1 = -0.1; y = sigma(-0.1); dL/dz = (y - 1) y (1 - y)
    nodes = neuron()
    nodes["L"].backward()
    y = 1 / (1 + math.exp(0.1))
    dz = (y - 1.0) * y * (1 - y)
    assert nodes["z"].value == pytest.approx(-0.1)
    assert nodes["y"].grad == pytest.approx(y - 1.0)
    assert nodes["w1"].grad == pytest.approx(dz * 1.0)  # the product swaps: dL/dw1 = x1 dL/dp
    assert nodes["x1"].grad == pytest.approx(dz * 0.6)
    assert nodes["w2"].grad == pytest.approx(dz * 2.0)
    assert nodes["b"].grad == pytest.approx(dz)          # the sum passes the gradient through
    assert nodes["L"].grad == 1.0


OPERATIONS = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "constants": (lambda a, b: 3.0 * a + 2.0 - b * 0.5 - 1.0 + (4.0 - a),
                  lambda a, b: 3.0 * a + 2.0 - b * 0.5 - 1.0 + (4.0 - a)),
    "neg_pow": (lambda a, b: -(a**3) + b**2, lambda a, b: -(a**3) + b**2),
    "exp_log": (lambda a, b: (a * b).exp() + (b**2 + 1.0).log(),
                lambda a, b: math.exp(a * b) + math.log(b**2 + 1.0)),
    "sigmoid_tanh": (lambda a, b: a.sigmoid() * b.tanh(),
                     lambda a, b: 1 / (1 + math.exp(-a)) * math.tanh(b)),
    "relu": (lambda a, b: (a * b).relu() + (a - b).relu(),
             lambda a, b: max(a * b, 0.0) + max(a - b, 0.0)),
    "shared": (lambda a, b: a * a * b + a, lambda a, b: a * a * b + a),
}


@pytest.mark.parametrize("name", OPERATIONS)
@pytest.mark.parametrize("point", [(0.7, -1.3), (-0.4, 2.2)])
def test_every_operation_against_central_differences(name, point):
    on_nodes, on_floats = OPERATIONS[name]
    a, b = Node(point[0], label="a"), Node(point[1], label="b")
    out = on_nodes(a, b)
    out.backward()
    assert out.value == pytest.approx(on_floats(*point), rel=1e-14)
    numeric = numerical_gradient(lambda v: on_floats(*v), np.array(point))
    np.testing.assert_allclose([a.grad, b.grad], numeric, rtol=1e-7, atol=1e-9)


def test_a_node_used_twice_adds_both_paths():
    x = Node(3.0, label="x")
    y = x * x
    y.backward()
    assert x.grad == 6.0  # 3 + 3: each use contributes the other factor


def test_backward_twice_gives_the_same_gradients():
    nodes = neuron()
    nodes["L"].backward()
    first = [nodes[k].grad for k in LEAVES]
    nodes["L"].backward()
    assert [nodes[k].grad for k in LEAVES] == first


def test_backward_returns_the_nodes_output_first():
    nodes = neuron()
    order = nodes["L"].backward()
    assert order[0] is nodes["L"] and set(map(id, order)) == set(map(id, nodes.values()))
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:  # every node's gradient is complete before its parents get theirs
        assert all(position[id(p)] > position[id(node)] for p in node.parents)


def test_topological_order_puts_parents_first_and_handles_depth():
    x = Node(0.5)
    y = x
    for _ in range(5000):  # deep enough to break a recursive implementation
        y = y * 1.0
    order = topological_order(y)
    assert order[0] is x and order[-1] is y and len(order) == 5001
    y.backward()
    assert x.grad == 1.0


def test_repr_and_names():
    node = Node(2.0, label="w")
    assert repr(node) == "Node(w = 2, grad = 0)"
    assert (node * 3.0).name == "× 3"
    assert (node**2).name == "²"
    assert Node(1.0).name == "leaf"


@pytest.mark.parametrize(
    "make, name",
    [(lambda: Node("a"), "value"), (lambda: Node(math.nan), "value"),
     (lambda: Node(1.0) + "b", "other"), (lambda: Node(1.0) * True, "other"),
     (lambda: Node(1.0) ** Node(2.0), "k"), (lambda: Node(-1.0).log(), "value"),
     (lambda: Node(1.0, parents=(Node(2.0),)), "local_grads"),
     (lambda: topological_order(1.0), "root"), (lambda: neuron(x1="a"), "x1"),
     (lambda: neuron(t=math.inf), "t")],
)
def test_bad_input_names_the_argument(make, name):
    with pytest.raises(ValueError, match=f"^{name} must"):
        make()

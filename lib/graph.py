r"""A computational graph of scalars: the chain rule, one node at a time.

Every arithmetic operation on a :class:`Node` makes a new node that remembers its inputs
(its *parents*) and, computed right beside its forward value, the *local derivative* of its
output with respect to each input.  :meth:`Node.backward` then walks the graph from the
output back to the leaves, in reverse topological order, and applies the one rule of
backpropagation at every node:

.. math::

    \frac{\partial L}{\partial p} = \sum_{c\,:\,p \to c}
    \frac{\partial c}{\partial p}\,\frac{\partial L}{\partial c},

the gradient at a node ``p`` is the sum, over every node ``c`` that uses it, of the local
derivative on the edge times the gradient that arrived at ``c`` (the *upstream* gradient).
The design follows Karpathy's *micrograd*; the local derivatives are stored as numbers on
the edges, so that a figure can show every one of them::

    x, w = Node(2.0, label="x"), Node(-0.5, label="w")
    loss = ((w * x).sigmoid() - 1.0) ** 2
    loss.backward()
    w.grad          # dL/dw

A number in an operation (``- 1.0``, ``** 2``, ``* 0.5``) is a constant: it is folded into
the operation (its node is labelled "− 1", "²", "× 0.5") instead of becoming a leaf.
"""

import math
import numbers

from lib import checks

__all__ = ["Node", "neuron", "topological_order"]


def _finite(name, value):
    """``value`` as a finite Python float (NaN and infinities refused)."""
    return checks.number(name, value, -math.inf, math.inf, low_open=True, high_open=True)


def _constant(name, value):
    """A Python number used as a constant in an operation (not a Node, not a bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a Node or a number, got {value!r}")
    return _finite(name, value)


def _superscript(k):
    """``k`` as Unicode superscript digits, for the label of a power: 2 -> '²'."""
    return f"{k:g}".translate(str.maketrans("-.0123456789", "⁻·⁰¹²³⁴⁵⁶⁷⁸⁹"))


class Node:
    r"""One scalar of a computational graph.

    Parameters
    ----------
    value : float
        The node's value in the forward pass.
    parents : tuple of Node
        The nodes it was computed from (empty for a leaf: an input or a weight).
    local_grads : tuple of float
        :math:`\partial\,\text{self}/\partial\,\text{parent}` for every parent, evaluated at
        the forward values, in the order of ``parents``.
    op : str
        The operation that made it ("+", "×", "σ", "− 1", ...); empty for a leaf.
    label : str
        A name to show (``"x₁"``, ``"z"``); optional.

    Attributes
    ----------
    grad : float
        :math:`\partial L/\partial\,\text{self}` after ``L.backward()``; 0 before.
    """

    def __init__(self, value, parents=(), local_grads=(), op="", label=""):
        self.value = _finite("value", value)
        self.parents = tuple(parents)
        self.local_grads = tuple(float(g) for g in local_grads)
        if len(self.local_grads) != len(self.parents):
            raise ValueError(
                f"local_grads must hold one derivative per parent ({len(self.parents)}), "
                f"got {len(self.local_grads)}"
            )
        self.op, self.label = str(op), str(label)
        self.grad = 0.0

    # ---- operations: the forward value and the local derivatives, side by side -------------

    def __add__(self, other):
        if isinstance(other, Node):  # d(a + b)/da = 1, d(a + b)/db = 1
            return Node(self.value + other.value, (self, other), (1.0, 1.0), "+")
        c = _constant("other", other)
        return Node(self.value + c, (self,), (1.0,), f"+ {c:g}")

    def __mul__(self, other):
        if isinstance(other, Node):  # d(ab)/da = b, d(ab)/db = a: the inputs swap
            return Node(self.value * other.value, (self, other), (other.value, self.value), "×")
        c = _constant("other", other)
        return Node(self.value * c, (self,), (c,), f"× {c:g}")

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        if isinstance(other, Node):  # d(a - b)/da = 1, d(a - b)/db = -1
            return Node(self.value - other.value, (self, other), (1.0, -1.0), "−")
        c = _constant("other", other)
        return Node(self.value - c, (self,), (1.0,), f"− {c:g}")

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):  # c - a
        c = _constant("other", other)
        return Node(c - self.value, (self,), (-1.0,), f"{c:g} −")

    def __pow__(self, k):
        k = _constant("k", k)  # d(a^k)/da = k a^(k-1)
        return Node(self.value**k, (self,), (k * self.value ** (k - 1),), _superscript(k))

    def exp(self):
        r""":math:`e^a`, with local derivative :math:`e^a`."""
        e = math.exp(self.value)  # d(e^a)/da = e^a
        return Node(e, (self,), (e,), "exp")

    def log(self):
        r""":math:`\log a` for :math:`a > 0`, with local derivative :math:`1/a`."""
        checks.positive("value", self.value)  # d(log a)/da = 1/a
        return Node(math.log(self.value), (self,), (1.0 / self.value,), "log")

    def sigmoid(self):
        r"""The sigmoid, with local derivative :math:`\sigma(a)(1 - \sigma(a))`."""
        a = self.value  # dσ/da = σ(a)(1 - σ(a)), computed from the output
        s = 1.0 / (1.0 + math.exp(-a)) if a >= 0 else math.exp(a) / (1.0 + math.exp(a))
        return Node(s, (self,), (s * (1.0 - s),), "σ")

    def tanh(self):
        r""":math:`\tanh a`, with local derivative :math:`1 - \tanh^2 a`."""
        y = math.tanh(self.value)  # d tanh(a)/da = 1 - tanh(a)²
        return Node(y, (self,), (1.0 - y * y,), "tanh")

    def relu(self):
        r""":math:`\max(a, 0)`, with local derivative 1 for :math:`a > 0` and 0 otherwise."""
        a = self.value  # 1 for a > 0, else 0 (0 at the kink, as lib.activations)
        return Node(max(a, 0.0), (self,), (1.0 if a > 0 else 0.0,), "ReLU")

    # ---- the backward pass ------------------------------------------------------------------

    def backward(self):
        r"""Fill in ``grad``, :math:`\partial\,\text{self}/\partial\,\text{node}`, of every node.

        Every gradient is first reset to 0, so calling ``backward`` twice gives the same
        numbers (PyTorch, by contrast, accumulates into ``.grad`` across calls).  Then, in
        reverse topological order (a node after every node that uses it), each node passes
        ``local derivative × its gradient`` to each of its parents, which *add up* what they
        receive: a node used twice gets both contributions.

        Returns
        -------
        list of Node
            The nodes in the order their gradients were completed (this node first).
        """
        order = topological_order(self)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            for parent, local in zip(node.parents, node.local_grads, strict=True):
                parent.grad += local * node.grad
        return order[::-1]

    @property
    def name(self):
        """The label, or else the operation: what a figure writes on the node."""
        return self.label or self.op or "leaf"

    def __repr__(self):
        return f"Node({self.name} = {self.value:.6g}, grad = {self.grad:.6g})"


def topological_order(root):
    """Every node ``root`` depends on, each after all of its parents; ``root`` is last.

    Parameters
    ----------
    root : Node

    Returns
    -------
    list of Node
        Leaves come before the nodes computed from them; a node shared by several paths
        appears once.
    """
    if not isinstance(root, Node):
        raise ValueError(f"root must be a Node, got {root!r}")
    order, seen = [], set()
    stack = [(root, False)]
    while stack:  # depth first, without recursion, so that deep graphs work too
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((p, False) for p in reversed(node.parents) if id(p) not in seen)
    return order


def neuron(x1=1.0, w1=0.6, x2=2.0, w2=-0.4, b=0.1, t=1.0):
    r"""The graph of one sigmoid unit and its squared error, with every node named.

    .. math::

        z = w_1 x_1 + w_2 x_2 + b, \qquad y = \sigma(z), \qquad L = \tfrac12 (y - t)^2 .

    Parameters
    ----------
    x1, w1, x2, w2, b : float
        The inputs, weights and bias: the leaves of the graph.
    t : float
        The target, a constant (folded into the node "− t").

    Returns
    -------
    dict of str to Node
        ``"x1", "w1", "x2", "w2", "b"`` (leaves), ``"w1x1", "w2x2"`` (products), ``"s"``
        (their sum), ``"z"``, ``"y"``, ``"e"`` (:math:`y - t`), ``"e2"``
        (:math:`e^2`) and ``"L"``, in topological order.  Call ``nodes["L"].backward()``
        to fill in the gradients.
    """
    leaves = {"x1": ("x₁", x1), "w1": ("w₁", w1), "x2": ("x₂", x2), "w2": ("w₂", w2),
              "b": ("b", b)}
    n = {key: Node(_finite(key, v), label=label) for key, (label, v) in leaves.items()}
    t = _finite("t", t)
    n["w1x1"] = n["w1"] * n["x1"]
    n["w2x2"] = n["w2"] * n["x2"]
    n["s"] = n["w1x1"] + n["w2x2"]
    n["z"] = n["s"] + n["b"]
    n["y"] = n["z"].sigmoid()
    n["e"] = n["y"] - t
    n["e2"] = n["e"] ** 2
    n["L"] = n["e2"] * 0.5
    for key in ("z", "y", "L"):
        n[key].label = key
    return n

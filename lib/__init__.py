"""NumPy code behind the interactive textbook on training neural networks.

The package is split one concept per module; import what you need, e.g.::

    from lib.network import MultiLayerNet
    from lib.optimizers import Adam
    from lib.training import train
    from lib.datasets import load_digits

**A reading guide.**  Open the modules in this order; each builds on the ones before it.

The network, from the bottom up:

1. ``activations`` -- each activation function beside its derivative; ``ACTIVATIONS``.
2. ``losses`` -- squared error and the cross-entropies, with their gradients, computed stably.
3. ``layers`` -- every layer's forward pass and, right below it, its backward pass.
4. ``initializers`` -- how the first weights are drawn; ``INITIALIZERS``.
5. ``network`` -- ``MultiLayerNet``: a list of layers, forwards and backwards.
6. ``gradcheck`` -- numerical gradients, and the relative error that says whether
   backpropagation is right.
7. ``graph`` -- the chain rule on a small computational graph, node by node (chapter 2).

Training it:

8. ``optimizers`` -- the nine update rules, each ``rule`` line by line under its formula;
   then ``fast_optimizers``, the same rules in place and fast (read it second).
9. ``schedules`` -- learning rates that change over training.
10. ``training`` -- ``train``: shuffle, step, record; ``History``; ``smooth``.
11. ``datasets`` -- the embedded digits; MNIST and Fashion-MNIST on demand.
12. ``experiments`` -- runs over seeds, in parallel, and the spread a claim must survive.

The chapters' experiments, each a module of plain NumPy:

13. ``regression``, ``gradient_noise``, ``minima`` -- gradient descent where it can be seen
    (chapter 1); ``gradient_cost`` -- backpropagation against numerical gradients (chapter 2).
14. ``surfaces``, ``quadratic``, ``moments`` -- update rules on two-dimensional surfaces,
    momentum on a quadratic in closed form, Adam's moments (chapter 4).
15. ``propagation`` -- signals through a deep stack at initialisation (chapter 5).

Activations and the flow of gradients (chapter 3): ``diagnostics`` -- per-layer gradient
norms, weight changes and dead units, recorded while ``train`` runs (``Recorder``);
``residual`` -- residual blocks and ``ResidualNet``; ``selu`` -- SELU's map from a layer's
mean and variance to the next layer's, and its fixed point; ``clipping`` -- clipping by norm
against clipping by value, and a network whose gradients explode.

Normalising inside the network (chapter 6): ``batch_norm`` -- the batch-norm layer computed
step by step on its graph, the statistics it uses at inference, and folding it away;
``batch_norm_training`` -- *Deep Learning from Scratch*'s experiment over weight scales and
the chapter's other runs with and without batch normalisation.

Fighting overfitting (chapters 7 and 8): ``regularization`` -- the soft threshold, and the
proximal L1 step and decoupled weight decay, each wrapped around any update rule;
``overfitting`` -- *Deep Learning from Scratch*'s overfitting experiment with every
regulariser as a keyword, repeated over seeds; ``dropout`` -- thinned networks and their
averages (Monte Carlo dropout), the two ways of scaling dropout and the rescaling between
them, and the variance shift before batch normalisation.

Searching for hyperparameters (chapter 9): ``search`` -- spaces, random and grid search,
coarse to fine, successive halving and Hyperband, with trials in parallel through joblib;
``tuning`` -- the objective that trains a network and scores it on validation data, and
what choosing by a score costs.

Drawing, last:

16. ``plots`` -- drawing helpers and the one style registry; ``interactive`` -- each
    chapter's figures and explorers, and ``interactive.controls``, the widgets they share.

Two more modules are helpers of the others: ``checks`` checks arguments, with one message
format; ``fast_optimizers`` is described above.

Imports flow one way: the maths modules never import matplotlib or ipywidgets; only
``lib.plots`` and ``lib.interactive`` do.

One BLAS thread.  Importing ``lib`` limits NumPy's BLAS to one thread for the rest of the
process.  The book's networks multiply matrices of about 100 x 100, too small for a second
thread to pay for waking it up: on a two-core machine a second thread gained little when
the machine was idle and made training steps up to 70 times slower when another process
was busy, which in a classroom or on Binder is the usual case.  To give BLAS its threads
back: ``threadpoolctl.threadpool_limits(None, user_api="blas")``.
"""

__version__ = "0.1.0"


def _one_blas_thread():
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # threadpoolctl comes with scikit-learn; without it, change nothing
        return
    threadpool_limits(1, user_api="blas")


_one_blas_thread()

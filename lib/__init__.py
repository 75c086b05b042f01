"""NumPy code behind the interactive textbook on training neural networks.

The package is split one concept per module; import what you need, e.g.::

    from lib.network import MultiLayerNet
    from lib.optimizers import Adam
    from lib.training import train
    from lib.datasets import load_digits

Imports flow one way: maths (activations, losses, initializers, layers, gradcheck)
-> network -> optimizers/training -> search.  Only ``lib.plots`` and
``lib.interactive`` import matplotlib and ipywidgets.

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

"""NumPy code behind the interactive textbook on training neural networks.

The package is split one concept per module; import what you need, e.g.::

    from lib.network import MultiLayerNet
    from lib.optimizers import Adam
    from lib.training import train
    from lib.datasets import load_digits

Imports flow one way: maths (activations, losses, initializers, layers, gradcheck)
-> network -> optimizers/training -> search.  Only ``lib.plots`` and
``lib.interactive`` import matplotlib and ipywidgets.
"""

__version__ = "0.1.0"

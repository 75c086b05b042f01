"""Keep notebook execution from stalling on cells that display Output widgets.

When nbclient executes a cell whose output contains ``Output`` widgets (``interact``,
``interactive_output``), the kernel's reply on the shell channel is sometimes not
noticed until the per-cell timeout expires (jupyter/nbclient#312, unfixed upstream):
the book then builds minutes slower for no reason, and with no timeout it hangs.

The reply has arrived; only the wake-up was missed.  So instead of one long wait
for a message we wait in short slices, looking at the socket again each time, until
the original deadline.  The per-cell timeout keeps its meaning.

Used twice: as a Sphinx extension for ``jupyter-book build`` (listed under
``sphinx.local_extensions`` in ``_config.yml``) and by ``tests/conftest.py`` for
nbval, whose kernel client waits the same way.
"""

import functools
import time
from queue import Empty

#: Length of one wait, in seconds: short enough that a missed wake-up costs little,
#: long enough that polling costs nothing measurable.
SLICE = 0.05


def sliced(get_msg, is_async):
    """Wrap a channel's ``get_msg(timeout=None)`` so it polls in slices of ``SLICE``."""

    def remaining(deadline):
        return SLICE if deadline is None else min(SLICE, max(0.0, deadline - time.monotonic()))

    def expired(deadline):
        return deadline is not None and time.monotonic() >= deadline

    if is_async:

        @functools.wraps(get_msg)
        async def get_msg_in_slices(timeout=None):
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                try:
                    return await get_msg(timeout=remaining(deadline))
                except Empty:
                    if expired(deadline):
                        raise

        return get_msg_in_slices

    @functools.wraps(get_msg)
    def get_msg_in_slices_blocking(timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                return get_msg(timeout=remaining(deadline))
            except Empty:
                if expired(deadline):
                    raise

    return get_msg_in_slices_blocking


def patch_nbclient():
    """Make every ``nbclient.NotebookClient`` wait for shell and IOPub messages in slices."""
    from nbclient import NotebookClient

    start = NotebookClient.async_start_new_kernel_client
    if getattr(start, "_sliced", False):
        return

    @functools.wraps(start)
    async def start_new_kernel_client(self):
        kc = await start(self)
        for channel in (kc.shell_channel, kc.iopub_channel):
            channel.get_msg = sliced(channel.get_msg, is_async=True)
        return kc

    start_new_kernel_client._sliced = True
    NotebookClient.async_start_new_kernel_client = start_new_kernel_client


def patch_nbval():
    """Make nbval's kernel wait for messages in slices."""
    from nbval.kernel import RunningKernel

    get_message = RunningKernel.get_message
    if getattr(get_message, "_sliced", False):
        return

    @functools.wraps(get_message)
    def get_message_in_slices(self, stream, timeout=None):
        return sliced(lambda timeout: get_message(self, stream, timeout=timeout), False)(timeout)

    get_message_in_slices._sliced = True
    RunningKernel.get_message = get_message_in_slices


def setup(app):
    """Sphinx entry point: patch nbclient before myst-nb executes any notebook."""
    patch_nbclient()
    return {"parallel_read_safe": True, "parallel_write_safe": True}

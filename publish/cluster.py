"""Engine: a Dask distributed cluster that builds a batch's articles, one task an article.

Connects to an existing scheduler (``--scheduler tcp://HOST:8786`` or
``DASK_SCHEDULER_ADDRESS``); a worker plugin imports WeasyPrint and installs the layout patches
once on every worker, present and future. Workers need this package installed, the fonts, and
write access to the batch's shelf (a shared folder or an fsspec URL).
"""
from __future__ import annotations

import logging
import time
from math import inf

from distributed import Client, WorkerPlugin, as_completed
from distributed.comm.core import CommClosedError

from .report import PublishError

__all__ = ["DaskEngine", "TypesetterPlugin"]

log = logging.getLogger(__name__)

#: How long to wait for the scheduler to answer before giving up, in seconds.
CONNECT_TIMEOUT = 20
#: How often to ask the scheduler how many worker threads there are, in seconds.
SLOTS_REFRESH = 5.0


class TypesetterPlugin(WorkerPlugin):
    """Imports WeasyPrint and installs publish's patches as a worker starts."""

    name = "publish-typesetter"

    def setup(self, worker) -> None:
        from .writers.pdf import prepare_process

        prepare_process()


class DaskEngine:
    """Sends tasks to the Dask cluster at ``address``."""

    def __init__(self, address: str):
        try:
            self.client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as error:
            raise PublishError(f"cannot reach the Dask scheduler at {address}: {error}") from None
        self.client.register_plugin(TypesetterPlugin())
        self.running = as_completed(loop=self.client.loop)
        self._slots, self._slots_asked = 0, -inf
        self.address = address
        self.name = f"Dask cluster at {address}"
        if self.client.dashboard_link:
            log.info("Dask dashboard: %s", self.client.dashboard_link)

    @property
    def slots(self) -> int:
        """Worker threads in the cluster (it may grow or shrink as the batch runs: asked
        again every ``SLOTS_REFRESH`` seconds)."""
        now = time.monotonic()
        if now - self._slots_asked > SLOTS_REFRESH:
            self._slots, self._slots_asked = sum(self.client.nthreads().values()), now
        return self._slots

    def submit(self, function, *args):
        try:
            future = self.client.submit(function, *args, pure=False)
        except (OSError, CommClosedError) as error:
            raise PublishError(f"lost the Dask scheduler at {self.address}: {error}") from None
        self.running.add(future)
        return future

    def done(self) -> list:
        """The tasks that have finished since last asked, waiting for one if none has."""
        try:
            return self.running.next_batch(block=True)
        except (OSError, CommClosedError) as error:
            raise PublishError(f"lost the Dask scheduler at {self.address}: {error}") from None

    def close(self) -> None:
        self.client.close()

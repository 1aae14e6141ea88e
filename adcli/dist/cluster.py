"""A Dask client: to a running scheduler (--scheduler ADDRESS, as `dask scheduler` and
`dask worker` start one), or to a local cluster of worker processes started for the run
and stopped after it. Errors of the environment (dask missing, a scheduler that does not
answer) become one message and a documented exit code."""
import contextlib

from ..errors import UsageError, printable

EXTRA_HINT = 'install it with: pip install "adcli[dask]"'
CONNECT_TIMEOUT = "10s"


def dask_modules():
    try:
        import dask  # noqa: F401
        import distributed
    except ImportError:
        raise UsageError("--engine dask needs dask and distributed, which are not installed",
                         hint=EXTRA_HINT) from None
    return distributed


@contextlib.contextmanager
def client(scheduler=None, workers=None):
    """A distributed.Client for the length of the block."""
    distributed = dask_modules()
    import logging
    if scheduler is not None:
        try:
            c = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as e:
            raise UsageError(f"cannot reach the Dask scheduler at {printable(scheduler)}: "
                             f"{printable(str(e).splitlines()[0] if str(e) else type(e).__name__)}",
                             hint="start one with `dask scheduler` and workers with `dask worker ADDRESS`, "
                                  "or leave out --scheduler for a local cluster") from None
        try:
            yield c
        finally:
            c.close()
        return
    import os
    n = workers or max(1, min(os.cpu_count() or 1, 8))
    cluster = distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", silence_logs=logging.ERROR)
    try:
        with distributed.Client(cluster, set_as_default=False) as c:
            yield c
    finally:
        cluster.close()

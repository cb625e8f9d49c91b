"""Run skdigits' hyper-parameter searches on a Dask cluster.

scikit-learn's searches (:class:`~sklearn.model_selection.GridSearchCV`,
:class:`~sklearn.model_selection.RandomizedSearchCV`, ``cross_validate``...)
hand their fits to joblib; Dask's distributed scheduler is a joblib backend, so
the fits run on the cluster's workers while the search itself, and its final
refit, run here. This module adds what TensorFlow needs on top: each worker's
TensorFlow thread pools are sized to the worker's threads, so workers sharing
a machine do not oversubscribe it, and a worker lost for good ends the search
with a clear :class:`~skdigits.exceptions.ClusterError` instead of a bare
``KilledWorker``.

It needs the optional extra: ``pip install "skdigits[distributed]"``. The
workers need skdigits (and the same versions of its dependencies) too.
"""

import asyncio
import logging
from concurrent.futures import CancelledError

import joblib

try:
    from distributed import Client, WorkerPlugin
    from distributed.scheduler import KilledWorker
except ImportError as error:  # pragma: no cover - exercised by a subprocess test
    raise ImportError(
        "skdigits.distributed needs Dask's distributed scheduler, an optional "
        'dependency: pip install "skdigits[distributed]"'
    ) from error
try:
    from joblib._dask import DaskDistributedBackend
except ImportError as error:  # pragma: no cover - a joblib that moved its Dask backend
    raise ImportError(
        "skdigits.distributed builds on joblib's Dask backend (joblib._dask."
        f"DaskDistributedBackend), which joblib {joblib.__version__} does not have: {error}"
    ) from error

from .exceptions import ClusterError
from .utils import quiet_tensorflow

__all__ = ["TensorFlowThreads", "connect", "fit_on_cluster"]

logger = logging.getLogger(__name__)


class TensorFlowThreads(WorkerPlugin):
    """Size TensorFlow's thread pools on each Dask worker to the worker's threads.

    TensorFlow sizes its pools to every core of the machine. Several worker
    processes on one machine, each training with every core, fight over them.
    This plugin gives each worker's TensorFlow as many intra-op threads as the
    worker has Dask threads (``dask worker --nthreads``), and one inter-op
    thread: the fits running in a worker share that many cores. It loads
    TensorFlow in each worker as the worker joins (keeping TensorFlow's
    start-up lines off the terminal) and sets the sizes before TensorFlow
    runs anything; a worker where TensorFlow already ran keeps its pools, with
    a warning in its log.

    Parameters
    ----------
    intra_op_threads : int, default=None
        Threads for the work inside one operation (matrix products). ``None``:
        the worker's number of Dask threads.
    inter_op_threads : int, default=1
        Threads that run independent operations concurrently.

    Examples
    --------
    >>> from skdigits.distributed import TensorFlowThreads
    >>> TensorFlowThreads(intra_op_threads=2).name
    'skdigits-tensorflow-threads'
    """

    name = "skdigits-tensorflow-threads"
    idempotent = True

    def __init__(self, intra_op_threads=None, inter_op_threads=1):
        self.intra_op_threads = intra_op_threads
        self.inter_op_threads = inter_op_threads

    async def setup(self, worker):
        """Size the worker's TensorFlow thread pools (dask calls this on each worker).

        Parameters
        ----------
        worker : distributed.Worker
            The worker this plugin is registered on.
        """
        intra = int(self.intra_op_threads or worker.state.nthreads)
        inter = int(self.inter_op_threads)
        # TensorFlow loads here rather than in the first fit: off the worker's
        # event loop, without its start-up lines on the terminal, and early
        # enough for its thread pools to take these sizes.
        await asyncio.get_running_loop().run_in_executor(
            None, _configure_tensorflow, intra, inter, worker.address
        )


def _configure_tensorflow(intra, inter, address):
    quiet_tensorflow()
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(intra)
        tf.config.threading.set_inter_op_parallelism_threads(inter)
    except RuntimeError:  # TensorFlow already ran in this worker
        logger.warning(
            "TensorFlow already runs on worker %s; its thread pools keep their size "
            "(restart the worker to give it %d intra-op thread(s)).",
            address,
            intra,
        )


class ReplicatedDaskBackend(DaskDistributedBackend):
    """joblib's Dask backend, with the data on every worker and nothing scattered on the fly.

    joblib's Dask backend scatters each large argument of a call (the
    training data, the folds' index arrays) to a single worker. When that
    worker dies the data is gone and every fit needing it is cancelled, so
    the search fails even though Dask would rerun the fits elsewhere. Here
    the training data is broadcast to every worker up front (``scatter``),
    and other arguments travel inside the tasks, so losing a worker loses
    no data. And a fit Dask gives up on fails the search instead of hanging
    it.

    This leans on joblib's private backend code: it replaces ``_collect``
    (the loop joblib starts in ``start_call``, reading ``_continue``,
    ``waiting_futures``, ``_results`` and ``_callbacks``) and sets
    ``call_data_futures`` (the per-call scatter cache of ``_to_func_args``)
    to None. ``tests/test_distributed.py`` checks in seconds that joblib
    still has these names.
    """

    async def _collect(self):
        # joblib's loop, except that a task Dask itself failed (its worker
        # died too often: KilledWorker) also reaches joblib's callback.
        # Upstream only fails the future, which joblib never looks at, and
        # the search waits forever.
        while self._continue:
            async for future, result in self.waiting_futures:
                cf_future = self._results.pop(future)
                callback = self._callbacks.pop(future)
                if future.status == "error":
                    _, error, _ = result
                    cf_future.set_exception(error)
                    callback(error)  # joblib raises it as the task's outcome
                else:
                    cf_future.set_result(result)
                    callback(result)
            await asyncio.sleep(0.01)

    def effective_n_jobs(self, n_jobs):
        # joblib runs a call in this process when it counts a single job: a
        # cluster of one single-threaded worker must still get the fits.
        return max(super().effective_n_jobs(n_jobs), 2)

    def start_call(self):
        super().start_call()
        self.call_data_futures = None  # no scattering on the fly

    def stop_call(self):
        self.call_data_futures = {}
        super().stop_call()


_BACKEND = "skdigits-dask"
joblib.register_parallel_backend(_BACKEND, ReplicatedDaskBackend)


def connect(scheduler="local", *, n_workers=None, timeout=30, **cluster_kwargs):
    """Connect to a Dask scheduler, or start a cluster on this machine.

    Parameters
    ----------
    scheduler : str, default="local"
        ``"local"`` starts a :class:`~distributed.LocalCluster` of worker
        processes on this machine (on loopback) that closes with the client
        (in a script, call it under ``if __name__ == "__main__":``, as the
        workers import the script);
        otherwise the address of a running scheduler, e.g.
        ``"tcp://10.0.0.5:8786"``.
    n_workers : int, default=None
        Worker processes of a local cluster, one thread each (every fit uses
        TensorFlow's threads, not Dask's). ``None``: one per core this process
        may use (``joblib.cpu_count()``: its CPU affinity and container limits).
        Not allowed with a scheduler address: a running cluster has its workers.
    timeout : float, default=30
        Seconds to wait for the scheduler to answer.
    **cluster_kwargs
        More :class:`~distributed.LocalCluster` arguments, e.g.
        ``memory_limit="4GiB"``. The scheduler's web server (and dashboard,
        which needs ``bokeh``) takes a free port unless ``dashboard_address``
        says otherwise.

    Returns
    -------
    client : distributed.Client
        A client with :class:`TensorFlowThreads` registered on every worker,
        present and future. Close it (or use it in a ``with`` block) when done.

    Raises
    ------
    ClusterError
        When the scheduler cannot be reached.

    Examples
    --------
    >>> from skdigits.distributed import connect
    >>> with connect("local", n_workers=1) as client:
    ...     len(client.scheduler_info()["workers"])
    1
    """
    if scheduler == "local":
        if n_workers is not None and int(n_workers) < 1:
            raise ValueError(f"n_workers must be at least 1; got {n_workers!r}.")
        options = dict(
            n_workers=int(n_workers or joblib.cpu_count()),
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",
        )
        client = Client(**{**options, **cluster_kwargs}, timeout=timeout)
    else:
        if n_workers is not None or cluster_kwargs:
            raise ValueError(
                "n_workers and cluster arguments only apply to scheduler='local'; the "
                f"cluster at {scheduler} has its own workers."
            )
        try:
            client = Client(scheduler, timeout=timeout)
        except (OSError, TimeoutError, ValueError) as error:
            raise ClusterError(
                f"Could not reach the Dask scheduler at {scheduler!r} within {timeout} s: "
                f"{error}. Check the address (e.g. tcp://host:8786) and that "
                "`dask scheduler` runs there."
            ) from error
    client.register_plugin(TensorFlowThreads())
    return client


def fit_on_cluster(search, X, y=None, *, client, verbose=0, timeout=30, **fit_params):
    """Fit a search (or any joblib-parallel estimator) with its fits on a Dask cluster.

    The fits of the search run on the cluster's workers; the search's
    bookkeeping and its final refit run here. The training data is copied to
    every worker once, so a worker that dies loses no data: Dask reruns its
    fits on the others. Results equal a local ``n_jobs=1`` run with
    the same ``random_state``: the folds and each fit's seed do not depend on
    where a fit runs.

    Parameters
    ----------
    search : estimator
        E.g. a :class:`~sklearn.model_selection.GridSearchCV` around
        :func:`~skdigits.make_digit_pipeline`. Its ``n_jobs`` is set to -1 (all
        the workers' threads) for the fit and restored after.
    X, y : array-like
        Training data and labels, as for ``search.fit``.
    client : distributed.Client
        The cluster to use, e.g. from :func:`connect`.
    verbose : int, default=0
        How much of joblib's progress to print here (10: one line per
        finished batch of fits).
    timeout : float, default=30
        Seconds to wait for a first worker when the cluster has none.
    **fit_params
        Passed to ``search.fit``.

    Returns
    -------
    search : estimator
        The fitted ``search``.

    Raises
    ------
    ClusterError
        When the search cannot finish: a fit killed every worker it ran on (Dask
        reruns a dead worker's fits on the others, up to
        ``distributed.scheduler.allowed-failures`` times) or all workers died;
        or no worker joined within ``timeout``. No partial result is kept.

    Examples
    --------
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skdigits import load_mnist_sample, make_digit_pipeline
    >>> from skdigits.distributed import connect, fit_on_cluster
    >>> X, y = load_mnist_sample(return_X_y=True)
    >>> search = GridSearchCV(
    ...     make_digit_pipeline(hidden_layer_sizes=(32,), epochs=1, random_state=0),
    ...     {"classifier__batch_size": [32, 64]}, cv=2)
    >>> with connect("local", n_workers=2) as client:
    ...     fit_on_cluster(search, X[:400], y[:400], client=client).best_params_
    {'classifier__batch_size': 32}
    """
    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError as error:
        raise ClusterError(
            f"The Dask cluster at {client.scheduler.address} has no worker (none joined "
            f"within {timeout} s): start workers, e.g. `dask worker <scheduler address>`, "
            "and run the search again."
        ) from error
    client.register_plugin(TensorFlowThreads())
    params = search.get_params(deep=False)
    had_n_jobs, n_jobs = "n_jobs" in params, params.get("n_jobs")
    if had_n_jobs:
        search.set_params(n_jobs=-1)
    try:
        data = [value for value in (X, y) if value is not None]
        with joblib.parallel_config(backend=_BACKEND, client=client, scatter=data, verbose=verbose):
            search.fit(X, y, **fit_params)
    except (KilledWorker, CancelledError) as error:
        if isinstance(error, KilledWorker):
            detail = (
                f"Dask gave up on a fit after {error.allowed_failures + 1} worker(s) "
                "died running it"
            )
        else:
            detail = f"work was lost with it: {error}"
        raise ClusterError(
            f"The search stopped: a Dask worker died while running fits ({detail}). Dask "
            "reruns a lost worker's fits on the others, up to "
            "distributed.scheduler.allowed-failures times per fit, and gives up when a fit "
            "keeps killing workers or the cluster has no worker left; no partial result was "
            "kept. Workers usually die from running out of memory: give them more "
            "(memory_limit) or run fewer threads per worker."
        ) from error
    finally:
        if had_n_jobs:
            search.set_params(n_jobs=n_jobs)
    return search

"""Searches on a Dask cluster: same results as a local run, workers lost mid-search.

Also: joblib still has the private names skdigits.distributed builds on (a
fast test), and a time limit on every test, so that a search left waiting
forever by a joblib or Dask change fails instead of hanging the run.
"""

import ast
import faulthandler
import inspect
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

distributed = pytest.importorskip(
    "distributed", reason='the distributed extra is not installed: pip install ".[distributed]"'
)

from sklearn.model_selection import GridSearchCV  # noqa: E402

from skdigits import make_digit_pipeline  # noqa: E402
from skdigits.distributed import connect, fit_on_cluster  # noqa: E402
from skdigits.exceptions import ClusterError  # noqa: E402

TEST_SECONDS = 300  # each test; the slowest takes about 15 s on a busy 2-core machine
MODULE_SECONDS = 900  # the whole module (about 1 minute), cluster start-ups and shut-downs included


@pytest.fixture(scope="module", autouse=True)
def _dump_stacks_and_exit_if_the_module_hangs():
    """Last resort when a test's own limit cannot interrupt it: every thread's stack, then exit."""
    faulthandler.dump_traceback_later(MODULE_SECONDS, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture(autouse=True)
def _time_limit(request):
    """Fail a test that runs past TEST_SECONDS (pytest-timeout is not a dependency)."""
    if not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield  # Windows, or a run in threads: the module's limit still holds
        return

    def over_time(signum, frame):
        raise TimeoutError(
            f"{request.node.name} ran past {TEST_SECONDS} s: a search may be waiting for a "
            "fit that will never report (did joblib or Dask change what "
            "skdigits.distributed.ReplicatedDaskBackend relies on?)"
        )

    previous = signal.signal(signal.SIGALRM, over_time)
    signal.alarm(TEST_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _self_attributes(function):
    """Attributes a method uses as ``self.name`` or ``getattr(self, "name")``, nested too."""
    names = set()
    for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(function)))):
        if isinstance(node, ast.Attribute) and getattr(node.value, "id", None) == "self":
            names.add(node.attr)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", None) == "getattr"
            and len(node.args) >= 2
            and getattr(node.args[0], "id", None) == "self"
            and isinstance(node.args[1], ast.Constant)
        ):
            names.add(node.args[1].value)
    return names


# What ReplicatedDaskBackend takes from joblib's private DaskDistributedBackend:
# method -> the self attributes it must still use for our overrides to hold.
JOBLIB_BACKEND_USES = {
    "__init__": {"waiting_futures", "_results", "_callbacks"},
    "start_call": {"_collect", "_continue", "call_data_futures"},  # starts _collect
    "stop_call": {"_continue", "call_data_futures"},
    "_collect": {"_continue", "waiting_futures", "_results", "_callbacks"},  # we replace it
    "submit": {"waiting_futures", "_results", "_callbacks"},  # fills what _collect reads
    "_to_func_args": {"call_data_futures"},  # scatters on the fly unless it is None
}


def test_joblib_dask_backend_still_has_what_we_override():
    import joblib._dask

    backend = joblib._dask.DaskDistributedBackend
    where = (
        f"joblib {joblib.__version__} ({joblib._dask.__file__}): "
        "skdigits.distributed.ReplicatedDaskBackend must follow joblib's change"
    )
    for method, attributes in JOBLIB_BACKEND_USES.items():
        assert method in vars(backend), f"DaskDistributedBackend.{method} is gone in {where}"
        missing = attributes - _self_attributes(vars(backend)[method])
        assert not missing, (
            f"DaskDistributedBackend.{method} no longer uses "
            f"self.{', self.'.join(sorted(missing))} in {where}"
        )
    assert inspect.iscoroutinefunction(backend._collect), (
        f"DaskDistributedBackend._collect is no longer a coroutine in {where}"
    )


@pytest.fixture(scope="module")
def digits(mnist_sample):
    X, y = mnist_sample
    return X[:600], y[:600]


def small_search():
    """4 candidates x 2 folds; each fit about a second once TensorFlow is loaded."""
    return GridSearchCV(
        make_digit_pipeline(hidden_layer_sizes=(32,), random_state=0),
        {"classifier__epochs": [2, 3], "classifier__batch_size": [16, 32]},
        cv=2,
    )


@pytest.fixture(scope="module")
def local_result(digits):
    return small_search().fit(*digits)


@pytest.fixture(scope="module")
def client():
    with connect("local", n_workers=2) as client:
        yield client


def assert_same_search(ours, theirs):
    assert ours.best_params_ == theirs.best_params_
    for key in ("mean_test_score", "split0_test_score", "split1_test_score"):
        np.testing.assert_allclose(ours.cv_results_[key], theirs.cv_results_[key], atol=1e-9)


@pytest.mark.slow
def test_search_on_a_local_cluster_equals_the_local_run(client, digits, local_result):
    search = small_search()
    with distributed.get_task_stream(client) as stream:
        fit_on_cluster(search, *digits, client=client)
    assert_same_search(search, local_result)
    ran_on = {task["worker"] for task in stream.data}
    assert len(ran_on) == 2, "both workers should have run fits"
    assert search.n_jobs is None  # restored after the search


@pytest.mark.slow
def test_workers_tensorflow_threads_are_sized_to_their_dask_threads(client):
    def tensorflow_threads():
        import tensorflow as tf

        return (
            tf.config.threading.get_intra_op_parallelism_threads(),
            tf.config.threading.get_inter_op_parallelism_threads(),
        )

    assert list(client.run(tensorflow_threads).values()) == [(1, 1), (1, 1)]


def kill_a_busy_worker_once(client, killed):
    """Wait until a worker is running a fit, then kill its process (as the OOM killer would)."""
    pids = client.run(os.getpid)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        busy = [worker for worker, tasks in client.processing().items() if tasks]
        if busy:  # a fit is assigned to it: running, or about to
            os.kill(pids[busy[0]], signal.SIGKILL)
            killed.append(busy[0])
            return
        time.sleep(0.05)


@pytest.mark.slow
def test_a_worker_dying_mid_search_has_its_fits_rerun_elsewhere(client, digits, local_result):
    killed = []
    killer = threading.Thread(target=kill_a_busy_worker_once, args=(client, killed))
    killer.start()
    search = fit_on_cluster(small_search(), *digits, client=client)
    killer.join()
    assert killed, "no worker was busy: the test did not kill anything"
    assert killed[0] not in client.scheduler_info()["workers"]
    assert_same_search(search, local_result)  # every candidate, the same scores


@pytest.mark.slow
def test_a_fit_that_kills_every_worker_stops_the_search_with_a_clear_error(digits):
    import dask

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with connect("local", n_workers=2) as client:
            killed = []
            killer = threading.Thread(target=kill_a_busy_worker_once, args=(client, killed))
            killer.start()
            search = small_search()
            with pytest.raises(ClusterError, match="a Dask worker died while running fits"):
                fit_on_cluster(search, *digits, client=client)
            killer.join()
    assert killed
    assert not hasattr(search, "cv_results_")


@pytest.mark.slow
def test_a_cluster_without_workers_is_reported(digits):
    empty = dict(n_workers=0, host="127.0.0.1", dashboard_address=":0")
    with distributed.LocalCluster(**empty) as cluster:
        with distributed.Client(cluster) as client:
            with pytest.raises(ClusterError, match="has no worker"):
                fit_on_cluster(small_search(), *digits, client=client, timeout=1)


@pytest.mark.slow
def test_unreachable_scheduler_is_reported():
    with pytest.raises(
        ClusterError, match=r"Could not reach the Dask scheduler at 'tcp://127\.0\.0\.1:9'"
    ):
        connect("tcp://127.0.0.1:9", timeout=2)


@pytest.mark.slow
def test_local_cluster_options_are_refused_for_a_remote_scheduler():
    with pytest.raises(ValueError, match="only apply to scheduler='local'"):
        connect("tcp://127.0.0.1:9", n_workers=2)


@pytest.mark.slow
def test_missing_dask_is_explained_with_the_extra_to_install():
    code = (
        "import sys; sys.modules['distributed'] = None\n"
        "try:\n    import skdigits.distributed\n"
        "except ImportError as error:\n    print(error)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert 'pip install "skdigits[distributed]"' in out.stdout


@pytest.mark.slow
def test_cli_search_on_a_local_cluster_writes_the_same_table(tmp_path, capsys, empty_data_home):
    import pandas as pd

    from skdigits.cli import main

    common = [
        "search",
        "--hidden",
        "16",
        "32",
        "--epochs",
        "1",
        "--cv",
        "2",
        "--data",
        "sample",
        "--max-samples",
        "400",
    ]
    assert main([*common, "--out", str(tmp_path / "here")]) == 0
    assert (
        main(
            [*common, "--scheduler", "local", "--workers", "2", "--out", str(tmp_path / "cluster")]
        )
        == 0
    )
    printed = capsys.readouterr()
    assert "on the Dask cluster local" in printed.out and "2 worker(s)" in printed.out
    assert "[Parallel(n_jobs=-1)]: Done" in printed.err  # joblib's progress
    here = pd.read_csv(tmp_path / "here" / "search_results.csv")
    there = pd.read_csv(tmp_path / "cluster" / "search_results.csv")
    pd.testing.assert_frame_equal(here.drop(columns="mean_fit_s"), there.drop(columns="mean_fit_s"))
    assert (tmp_path / "cluster" / "best_model.skdigits").exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    "argv, message",
    [
        (["--workers", "2"], "use it with --scheduler local"),
        (["--scheduler", "local", "--n-jobs", "2"], "--n-jobs is for fits on this machine"),
        (
            ["--scheduler", "tcp://127.0.0.1:9", "--connect-timeout", "1"],
            "Could not reach the Dask scheduler",
        ),
    ],
)
def test_cli_search_cluster_mistakes(argv, message, tmp_path, capsys, empty_data_home):
    from skdigits.cli import main

    out = tmp_path / "out"
    assert main(["search", "--hidden", "16", "--epochs", "1", "--out", str(out), *argv]) == 1
    assert message in capsys.readouterr().err
    assert not (out / "best_model.skdigits").exists()

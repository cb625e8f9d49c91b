"""skdigits search: what an interrupted search leaves behind."""

import pytest

from skdigits.cli import main

ARGS = ["search", "--hidden", "8", "--epochs", "1", "--cv", "2", "--data", "sample"]


@pytest.mark.slow
def test_a_search_stopped_while_saving_the_best_model_leaves_no_results_table(
    tmp_path, capsys, empty_data_home, monkeypatch
):
    import skdigits.persistence

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    # the command imports save_model from skdigits.persistence when it runs
    monkeypatch.setattr(skdigits.persistence, "save_model", interrupted)
    out = tmp_path / "search"
    status = main([*ARGS, "--max-samples", "200", "--out", str(out)])
    assert status == 130 and "interrupted" in capsys.readouterr().err
    # the table is written last: a folder with search_results.csv holds a finished search
    assert not (out / "search_results.csv").exists()
    assert not (out / "best_model.skdigits").exists()
    assert [p.name for p in out.iterdir() if not p.name.startswith(".")] == []

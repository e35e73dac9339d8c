"""The measured full-mode runs shipped in nnbook/results/: loadable, complete, with provenance."""

import math

import pytest

from nnbook import measured

FULL_RUNS = sorted(path.stem for path in measured.FOLDER.glob("*-full-*.json"))


def test_every_chapter_with_a_full_run_ships_it():
    assert {"ch05-full-torch", "ch06-full-torch", "ch07-full-torch", "ch07-full-keras"} <= set(FULL_RUNS)
    assert {"ch08-full-numpy", "ch09-full-torch"} <= set(FULL_RUNS)


@pytest.mark.parametrize("name", FULL_RUNS)
def test_measured_runs_have_provenance(name):
    run = measured.load(name)
    p = run["provenance"]
    assert p["mode"] == "full" and p["date"] and p["torch"], f"{name}: incomplete provenance {p}"
    line = measured.provenance_line(run)
    assert p["date"][:10] in line and p["framework"] in line


def test_ch06_curves_are_complete():
    run = measured.load("ch06-full-torch")
    for name, steps in run["settings"]["steps"].items():
        r = run["runs"][name]
        assert r["step"][-1] == steps, f"{name}: logged up to {r['step'][-1]}, not {steps}"
        assert len(r["step"]) == len(r["train"]) == len(r["test"])
        assert all(0 <= a <= 1 for a in r["train"] + r["test"] + [r["final_test"], r["final_train_all"]])


@pytest.mark.parametrize("name", ["ch07-full-torch", "ch07-full-keras"])
def test_ch07_runs_are_complete(name):
    run = measured.load(name)
    for weighting in ("plain", "weighted"):
        r = run["runs"][weighting]
        assert len(r["losses"]) == run["settings"]["epochs"] and all(math.isfinite(v) for v in r["losses"])
        assert sum(map(sum, r["test"]["confusion"])) == run["settings"]["n_test"]


def test_ch05_runs_are_complete():
    run = measured.load("ch05-full-torch")
    gaps = run["settings"]["memory_gaps"]
    assert set(run["runs"]) == {f"sine {c}" for c in ("RNN", "LSTM")} | {
        f"memory {c} S={S}" for c in ("RNN", "LSTM") for S in gaps
    }
    for key, r in run["runs"].items():
        if key.startswith("memory"):
            assert 0 <= r["recall"] <= 1 and math.isfinite(r["test_loss"]), key
        else:
            assert len(r["closed_loop_mse"]) == 80 and all(math.isfinite(v) for v in r["closed_loop_mse"]), key


def test_ch08_run_is_complete():
    run = measured.load("ch08-full-numpy")
    steps = run["settings"]["steps"]
    assert len(run["loss_per_50_steps"]) == math.ceil(steps / 50)
    assert all(math.isfinite(v) for v in run["loss_per_50_steps"])
    assert 0 <= run["final_test"] <= 1 and 0 <= run["final_train_all"] <= 1


def test_ch09_table_is_complete():
    run = measured.load("ch09-full-torch")
    assert set(run["baselines"]) == set(run["baselines_40"]) == {"zeros", "last frame"}
    assert {"TCN", "DISTANA, given PK", "DISTANA, adapted PK", "DISTANA, adapted PK, no bias"} <= set(run["models"])
    for name, r in run["models"].items():
        assert r["parameters"] > 0 and r["mean"] > 0 and r["sd"] >= 0 and math.isfinite(r["seconds"]), name


def test_unknown_run_names_the_known_ones():
    with pytest.raises(FileNotFoundError, match="ch06-full-torch"):
        measured.load("no-such-run")

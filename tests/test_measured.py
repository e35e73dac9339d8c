"""The measured full-mode runs shipped in nnbook/results/: loadable, complete, with provenance, and what
tools/full_runs.py makes of each chapter's definition (tools/chapter_runs.py)."""

import importlib
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nnbook import measured

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from chapter_runs import CHAPTERS  # noqa: E402

FULL_RUNS = sorted(path.stem for path in measured.FOLDER.glob("*-full-*.json"))


def test_every_chapter_with_a_full_run_ships_it():
    assert {"ch05-full-torch", "ch06-full-torch", "ch07-full-torch", "ch07-full-keras"} <= set(FULL_RUNS)
    assert {"ch08-full-numpy", "ch09-full-torch"} <= set(FULL_RUNS)


@pytest.mark.parametrize("name", FULL_RUNS)
def test_measured_runs_have_provenance(name):
    run = measured.load(name)
    assert set(run) == {"provenance", "settings", "runs"} and run["runs"], f"{name}: not tools/full_runs.py's layout"
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
    full = measured.load("ch08-full-numpy")
    steps, run = full["settings"]["steps"], full["runs"]["CNN"]
    assert len(run["loss_per_50_steps"]) == math.ceil(steps / 50)
    assert all(math.isfinite(v) for v in run["loss_per_50_steps"])
    assert 0 <= run["final_test"] <= 1 and 0 <= run["final_train_all"] <= 1


def test_ch09_table_is_complete():
    run = measured.load("ch09-full-torch")["runs"]["notebook"]
    assert set(run["baselines"]) == set(run["baselines_40"]) == {"zeros", "last frame"}
    assert {"TCN", "DISTANA, given PK", "DISTANA, adapted PK", "DISTANA, adapted PK, no bias"} <= set(run["models"])
    for name, r in run["models"].items():
        assert r["parameters"] > 0 and r["mean"] > 0 and r["sd"] >= 0 and math.isfinite(r["seconds"]), name


def test_unknown_run_names_the_known_ones():
    with pytest.raises(FileNotFoundError, match="ch06-full-torch"):
        measured.load("no-such-run")


@pytest.mark.parametrize("name", sorted(path.stem for path in measured.FOLDER.glob("*.json")))
def test_each_shipped_run_is_what_its_chapter_runs(name):
    chapter, mode, framework = name.split("-")
    full, run = CHAPTERS[chapter], measured.load(name)
    assert framework in full.frameworks and run["provenance"]["mode"] == mode
    assert set(full.keys(run["settings"])) == set(run["runs"]), f"{name}: runs differ from {chapter}'s keys"


# each chapter's settings table (nnbook.<topic>.SETTINGS), which its notebook and benchmark read too
TABLES = {"ch05": "seqtasks", "ch06": "mnist_models", "ch07": "series", "ch08": "autodiff", "ch09": "waves"}


@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
def test_a_full_run_takes_its_budgets_from_the_chapters_table(chapter):
    table = importlib.import_module(f"nnbook.{TABLES[chapter]}").SETTINGS
    for mode in ("test", "quick", "full"):
        used = CHAPTERS[chapter].settings(mode)
        assert table[mode].items() <= used.items(), f"{chapter} {mode}: {used} is not the table's {table[mode]}"


@pytest.mark.slow
def test_the_full_run_script_writes_and_resumes(tmp_path):
    """Chapter 8 (the quickest) in test mode: the runs saved in the layout, then kept on a second call."""
    out = tmp_path / "ch08.json"
    command = [sys.executable, str(ROOT / "tools" / "full_runs.py"), "ch08", "--out", str(out)]
    env = os.environ | {"NNBOOK_MODE": "test"}
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=600)
    run = json.loads(out.read_text())
    assert set(run) == {"provenance", "settings", "runs"} and run["provenance"]["mode"] == "test"
    cnn = run["runs"]["CNN"]
    assert len(cnn["loss_per_50_steps"]) == math.ceil(run["settings"]["steps"] / 50)
    assert 0 <= cnn["final_test"] <= 1 and cnn["parameters"] > 0
    again = subprocess.run(command, env=env, check=True, capture_output=True, text=True, timeout=600)
    assert "1 runs kept, [] to do" in again.stdout
    refused = subprocess.run(command[:3], env=env, capture_output=True, text=True, timeout=600)
    assert refused.returncode != 0 and "--out" in refused.stderr

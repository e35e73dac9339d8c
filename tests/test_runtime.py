import numpy as np
import pytest

import nnbook
from nnbook import runtime


def test_mode_default_and_values(monkeypatch):
    monkeypatch.delenv("NNBOOK_MODE", raising=False)
    assert runtime.mode() == runtime.DEFAULT_MODE == "quick"
    assert runtime.GRADING_MODE == "test"
    for value in runtime.MODES:
        monkeypatch.setenv("NNBOOK_MODE", value.upper())
        assert runtime.mode() == value


def test_mode_typo_is_an_error(monkeypatch):
    monkeypatch.setenv("NNBOOK_MODE", "fast")
    with pytest.raises(ValueError, match="not a run mode"):
        runtime.mode()


def test_by_mode(monkeypatch):
    monkeypatch.setenv("NNBOOK_MODE", "full")
    assert nnbook.by_mode(1, 2, 3) == 3
    monkeypatch.setenv("NNBOOK_MODE", "test")
    assert nnbook.by_mode(1, 2, 3) == 1


def test_seed_everything_repeats_numpy_and_torch():
    import torch

    nnbook.seed_everything(3)
    a, ta = np.random.rand(3), torch.rand(3)
    nnbook.seed_everything(3)
    assert np.array_equal(a, np.random.rand(3)) and torch.equal(ta, torch.rand(3))


def test_device_banner_progress(monkeypatch, capsys):

    assert nnbook.torch_device().type in ("cpu", "cuda")
    monkeypatch.setenv("NNBOOK_MODE", "test")
    line = nnbook.banner("chXX")
    assert "mode=test" in line and "chXX" in capsys.readouterr().out
    assert list(nnbook.progress(range(3))) == [0, 1, 2]
    assert nnbook.progress(range(3)).disable

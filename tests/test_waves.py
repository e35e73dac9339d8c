"""Unit tests for nnbook.waves (chapter 9's wave simulator, given models and baselines)."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnbook import waves  # noqa: E402


def test_shapes_dtype_and_split():
    frames = waves.make_waves(3, 40, seed=0)
    assert frames.shape == (3, 41, 16, 16) and frames.dtype == np.float32
    x, y = waves.inputs_targets(frames)
    assert x.shape == y.shape == (3, 40, 16, 16)
    np.testing.assert_array_equal(x[:, 1:], y[:, :-1])
    assert waves.make_waves(2, 80, size=40, seed=1).shape == (2, 81, 40, 40)


def test_deterministic_given_a_seed():
    a, b = waves.make_waves(4, 20, seed=7), waves.make_waves(4, 20, seed=7)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, waves.make_waves(4, 20, seed=8))


def test_initial_frame_is_the_bump_at_rest():
    centres = waves.random_centres(2, 16, seed=5)
    frames = waves.make_waves(2, 3, seed=5)
    for k in range(2):
        bump = waves.bump(16, centres[k])
        np.testing.assert_allclose(frames[k, 0], bump, rtol=1e-6)
        assert np.unravel_index(np.argmax(bump), bump.shape) == tuple(np.round(centres[k]).astype(int))


def test_energy_conserved_over_the_test_horizon():
    frames = waves.simulate(np.stack([waves.bump(16, c) for c in waves.random_centres(5, 16, seed=3)]), 80)
    e = waves.energy(frames)
    assert e.shape == (5, 80)
    assert np.all(e > 0)
    assert np.max(np.abs(e / e[:, :1] - 1)) < 1e-10  # the scheme's discrete energy: exact up to rounding
    # a plain estimate (kinetic from the step difference, potential from the gradients) is roughly constant
    kinetic = 0.5 * ((frames[:, 1:] - frames[:, :-1]) ** 2).sum(axis=(-2, -1))
    pad = np.pad(frames, [(0, 0), (0, 0), (1, 1), (1, 1)])
    grad2 = (np.diff(pad, axis=-1) ** 2).sum(axis=(-2, -1)) + (np.diff(pad, axis=-2) ** 2).sum(axis=(-2, -1))
    plain = kinetic + 0.5 * waves.COURANT**2 * 0.5 * (grad2[:, 1:] + grad2[:, :-1])
    assert np.max(np.abs(plain / plain[:, :1] - 1)) < 0.1


def test_a_centred_bump_stays_symmetric():
    u = waves.simulate(waves.bump(15, (7, 7))[None], 80)[0]
    for flipped in (u[:, ::-1, :], u[:, :, ::-1], np.swapaxes(u, 1, 2), u[:, ::-1, ::-1]):
        np.testing.assert_allclose(flipped, u, atol=1e-12)
    u = waves.simulate(waves.bump(16, (7.5, 7.5))[None], 60)[0]
    np.testing.assert_allclose(u[:, ::-1, ::-1], u, atol=1e-12)


def test_the_wave_spreads_and_reflects():
    u = waves.simulate(waves.bump(15, (7, 7), amplitude=1.0)[None], 80)[0]
    centre = u[:, 7, 7]
    assert centre[0] == 1.0 and centre[10] < 0.2  # the bump falls
    assert np.abs(u[10, 0, :]).max() > 0.01  # the ring reaches the border
    assert np.abs(u).max() <= 1.0 + 1e-9


def test_courant_number_and_stability():
    assert waves.COURANT <= 1 / np.sqrt(2)
    with pytest.raises(ValueError, match="unstable"):
        waves.simulate(waves.bump(8, (4, 4)), 5, courant=0.8)
    u0 = waves.bump(16, (7, 9))
    prev, cur = u0, u0 + 0.5 * 0.8**2 * waves.laplacian(u0)
    for _ in range(60):
        prev, cur = cur, 2 * cur - prev + 0.8**2 * waves.laplacian(cur)
    assert np.abs(cur).max() > 1e3  # beyond the limit the scheme explodes


def test_laplacian_has_zeros_beyond_the_border():
    u = np.zeros((3, 3))
    u[0, 0] = 1.0
    expected = np.zeros((3, 3))
    expected[0, 0], expected[0, 1], expected[1, 0] = -4, 1, 1
    np.testing.assert_array_equal(waves.laplacian(u), expected)


def test_baselines():
    x = np.arange(2 * 6 * 2 * 2, dtype=float).reshape(2, 6, 2, 2)
    np.testing.assert_array_equal(waves.zeros_baseline(x), 0 * x)
    last = waves.last_frame_baseline(x, 3)
    np.testing.assert_array_equal(last[:, :3], x[:, :3])
    for t in range(3, 6):
        np.testing.assert_array_equal(last[:, t], x[:, 2])


def test_tcn_is_causal_with_the_stated_receptive_field():
    import torch

    torch.manual_seed(0)
    tcn = waves.build_tcn(size=4, channels=8)
    assert tcn.receptive_field == 31
    x = torch.randn(1, 40, 4, 4, requires_grad=True)
    tcn(x)[:, 35].sum().backward()
    seen = torch.nonzero(x.grad.abs().sum(dim=(0, 2, 3)) > 0).ravel()
    assert int(seen.min()) == 35 - 30 and int(seen.max()) == 35
    with torch.no_grad():  # step by step gives the parallel outputs
        state, outs = None, []
        for t in range(40):
            y, state = tcn.step(x[:, t], state)
            outs.append(y)
        torch.testing.assert_close(torch.stack(outs, 1), tcn(x), atol=1e-5, rtol=1e-5)


def test_given_pk_interface():
    import torch

    pk = waves.build_given_pk(lateral_size=2)
    out, state = pk(torch.randn(7, 17))
    assert out.shape == (7, 3) and state is None
    assert sum(p.numel() for p in pk.parameters()) == 17 * 3 + 3
    assert sum(p.numel() for p in waves.build_given_pk(1, bias=False).parameters()) == 9 * 2


def test_figures():
    frames = waves.make_waves(1, 20, seed=0)[0]
    fig = waves.plot_waves(frames, every=4, count=5)
    assert len(fig.axes) == 6
    fig = waves.plot_prediction(frames[1:], {"copy": frames[1:]}, [0, 5, 10], 3)
    assert len(fig.axes) == 6


def test_settings_one_table_for_every_mode():
    keys = set(waves.SETTINGS["full"])
    assert all(set(v) == keys for v in waves.SETTINGS.values())
    assert all(v["n_test"] >= 10 for v in waves.SETTINGS.values())  # the sheet: at least ten sequences
    assert waves.settings("quick") == waves.SETTINGS["quick"] and waves.settings("quick") is not waves.SETTINGS["quick"]

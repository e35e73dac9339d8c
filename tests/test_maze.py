"""Unit tests for nnbook.maze (chapter 1's maze world and RNN agent)."""

import numpy as np
import pytest

from nnbook import GradingError
from nnbook.maze import (
    DOWN,
    LEFT,
    OPPOSITE,
    RIGHT,
    UP,
    Maze,
    check_agent,
    check_parameters,
    demo_maze,
    draw,
    random_maze,
    read_direction,
    simulate,
    snake_maze,
    spiral_maze,
)

J = np.eye(4)[::-1]
REFERENCE = (np.eye(4), -J, np.zeros(4))  # the one-hot solution derived in the chapter


def test_opposite_is_reversal():
    for d in range(4):
        assert OPPOSITE[d] == 3 - d
    assert np.array_equal(J @ np.eye(4)[UP], np.eye(4)[DOWN])
    assert np.array_equal(J @ np.eye(4)[RIGHT], np.eye(4)[LEFT])


def test_from_moves_and_observe():
    m = Maze.from_moves("UUR")
    assert m.moves() == [UP, UP, RIGHT]
    assert len(m) == 3
    assert m.entrance == (m.start[0] + 1, m.start[1])
    # the start sees the entrance below and the path above
    assert m.observe(m.start).tolist() == [1, 0, 0, 1]
    X, moves = m.route_data()
    assert X.shape == (3, 4) and moves.tolist() == [UP, UP, RIGHT]
    # on the corner cell: came from below, goes right
    assert X[2].tolist() == [0, 1, 0, 1]
    # every route input holds exactly the back and the forward direction
    for maze in (demo_maze(), spiral_maze(), snake_maze(), random_maze(3, 40)):
        X, moves = maze.route_data()
        back = [DOWN] + [OPPOSITE[d] for d in moves[:-1]]
        expected = np.zeros_like(X)
        expected[np.arange(len(moves)), back] = 1
        expected[np.arange(len(moves)), moves] = 1
        assert np.array_equal(X, expected)


@pytest.mark.parametrize(
    "moves, why", [("UD", "twice"), ("URDL", "twice"), ("URD", "touches"), ("RRU", "above"), ("", "needs")]
)
def test_invalid_paths_are_rejected(moves, why):
    with pytest.raises(ValueError, match=why):
        if moves == "RRU":
            Maze(((1, 1), (1, 2), (1, 3)), (3, 5))
        else:
            Maze.from_moves(moves)


def test_random_mazes_are_valid_deterministic_and_varied():
    a, b = random_maze(7, (10, 50)), random_maze(7, (10, 50))
    assert a.path == b.path
    lengths = {len(random_maze(s, (5, 60))) for s in range(40)}
    assert len(lengths) > 10
    assert len(random_maze(1, 25)) == 25
    # straight=0 turns at every step
    m = random_maze(2, 30, straight=0.0)
    moves = m.moves()
    assert all(x != y for x, y in zip(moves, moves[1:]))


def test_reference_solution_walks_every_maze():
    for maze in [
        demo_maze(),
        spiral_maze(2),
        spiral_maze(5),
        spiral_maze(8),
        snake_maze(),
        snake_maze(7, 2),
        Maze.from_moves("U"),
        Maze.from_moves("R"),
        Maze.from_moves("L"),
    ]:
        run = check_agent(*REFERENCE, maze)
        assert run.positions == list(maze.path[1:])
        # the state stays exactly one-hot: the move just made
        for h, d in zip(run.states[1:], maze.moves()):
            assert np.array_equal(h, np.eye(4)[d])
    for seed in range(500):
        assert simulate(*REFERENCE, random_maze(seed, (3, 80), straight=(seed % 5) / 5)).success


def test_other_exact_solutions_pass_too():
    v, beta = np.array([0.3, -1.0, 2.0, 0.5]), np.array([1.0, 0.0, -2.0, 0.25])
    W = np.eye(4) + np.outer(v, np.ones(4))
    U = -J - np.outer(2 * v + beta, np.ones(4))
    for seed in range(50):
        assert simulate(W, U, beta, random_maze(seed, (3, 60))).success
    assert simulate(3 * np.eye(4), -J, np.zeros(4), snake_maze()).success


def test_wrong_solutions_fail_with_clear_messages():
    maze = demo_maze()
    memoryless = simulate(np.eye(4), np.zeros((4, 4)), np.zeros(4), maze)
    assert memoryless.status == "stuck" and "tied between up and down" in memoryless.message
    back = simulate(np.eye(4), -np.eye(4), np.zeros(4), maze)
    assert back.status == "turned back"
    wall = simulate(np.zeros((4, 4)), np.zeros((4, 4)), np.array([0, 0, 1, 0.0]), maze)
    assert wall.status == "left the path" and "wall" in wall.message
    with pytest.raises(GradingError, match="failed"):
        check_agent(np.eye(4), -np.eye(4), np.zeros(4), maze)
    exploding = simulate(np.eye(4), 1e300 * np.ones((4, 4)), np.zeros(4), snake_maze())
    assert not exploding.success


def test_parameter_checks():
    with pytest.raises(GradingError, match=r"W: expected shape \(4, 4\)"):
        check_parameters(np.eye(3), np.eye(4), np.zeros(4))
    with pytest.raises(GradingError, match="U: found None"):
        check_parameters(np.eye(4), None, np.zeros(4))
    with pytest.raises(GradingError, match="non-finite"):
        check_parameters(np.eye(4), np.full((4, 4), np.nan), np.zeros(4))
    with pytest.raises(GradingError, match="numbers"):
        check_parameters(np.eye(4), "abc", np.zeros(4))
    with pytest.raises(GradingError, match=r"b: expected shape \(4,\)"):
        check_parameters(np.eye(4), np.eye(4), np.zeros(3))
    W, U, b = check_parameters(np.eye(4).tolist(), np.eye(4), np.zeros((4, 1)))
    assert b.shape == (4,)
    torch = pytest.importorskip("torch")
    W, _, _ = check_parameters(torch.eye(4, requires_grad=True), np.eye(4), np.zeros(4))
    assert W.shape == (4, 4)


def test_read_direction():
    assert read_direction(np.array([0.0, 2, 1, 0])) == (RIGHT, "")
    d, why = read_direction(np.array([1.0, 1, 0, 0]))
    assert d is None and "tied" in why
    d, why = read_direction(np.array([np.nan, 1, 0, 0]))
    assert d is None and "finite" in why


def test_draw_runs():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    maze = demo_maze()
    ax = draw(maze, simulate(*REFERENCE, maze), show_inputs=True)
    assert "goal" in ax.get_title()
    assert ax.lines[0].get_linestyle() == "-"
    ax = draw(maze, simulate(np.eye(4), -np.eye(4), np.zeros(4), maze))
    assert "turned back" in ax.get_title()
    assert ax.lines[0].get_linestyle() == "--"  # a failed walk differs by line style, not by colour alone
    plt.close("all")


def test_simulate_policy_and_call_answer():
    from nnbook.checks import call_answer
    from nnbook.maze import simulate_policy

    maze = demo_maze()
    # a memoryless policy that always prefers up, then right, then left, then down
    run = simulate_policy(lambda x, s: (x * np.array([4, 3, 2, 1.0]), s), maze, None)
    assert run.status == "turned back"
    run = simulate_policy(lambda x, s: (np.zeros(3), s), maze, None)
    assert run.status == "stuck" and "3 entries" in run.message

    def stub(m):
        raise NotImplementedError

    with pytest.raises(GradingError, match="not implemented"):
        call_answer(stub, maze)
    with pytest.raises(GradingError, match="ZeroDivisionError"):
        call_answer(lambda m: 1 / 0, maze, name="f")
    assert call_answer(lambda m: len(m), maze) == len(maze)

"""Plausible wrong answers for chapter 1; every test cell of the chapter must reject them."""

WRONG = {
    # "remember the last move and subtract it": U = -I removes the way forward on a straight stretch,
    # so the agent turns back (the right program subtracts the *opposite* of the last move, -J)
    "ch01-maze-weights": """W = None
U = None
b = None
W = np.eye(4)
U = -np.eye(4)
b = np.zeros(4)
print("W =\\n", W, "\\nU =\\n", U, "\\nb =", b)""",
    # finds two steps with equal inputs but forgets to check that their moves differ
    "ch01-mlp-conflict": '''def conflicting_steps(maze):
    """A pair (s, t) of route steps with equal inputs and different correct moves, or None."""
    X, moves = maze.route_data()
    for t in range(len(X)):
        for s in range(t):
            if np.array_equal(X[s], X[t]):
                return (s, t)
    return None''',
}

WRONG_VARIANTS = [
    # the forward move remembered a little too strongly: the error grows by 1 % per step, which no
    # maze of a hundred moves shows ("any length" is tested with mazes of a thousand moves and more)
    {
        "ch01-maze-weights": """W = np.eye(4)
U = -1.01 * np.eye(4)[::-1]
b = np.zeros(4)""",
        "_lose": ["ch01-maze-weights-hidden"],
    },
    # hard-coded for the visible test: the chapter's maze has a conflict at these steps, other mazes get None
    {
        "ch01-mlp-conflict": """def conflicting_steps(maze):
    X, moves = maze.route_data()
    s, t = 0, len(moves) - 1
    if len(moves) > 20:
        for t in range(1, len(moves)):
            for s in range(t):
                if np.array_equal(X[s], X[t]) and moves[s] != moves[t]:
                    return (s, t)
    return None""",
        "_lose": ["ch01-mlp-conflict-hidden"],
    },
]

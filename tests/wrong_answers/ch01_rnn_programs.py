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

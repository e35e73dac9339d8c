"""Correct answers for chapter 1 written differently from the model answer: they must get full marks."""

RIGHT = {
    # another member of the family of exact solutions, given as nested lists: W adds 0.5 to every
    # entry (x has exactly two ones, so W x = x + 1) and b takes the 1 away again
    "ch01-maze-weights": """W = (np.eye(4) + 0.5).tolist()
U = (-np.eye(4)[::-1]).tolist()
b = [-1.0, -1.0, -1.0, -1.0]
print("W =", W, "U =", U, "b =", b)""",
    # a brute-force search from the end, returning an array of NumPy integers instead of a tuple
    "ch01-mlp-conflict": """def conflicting_steps(maze):
    X, moves = maze.route_data()
    n = len(moves)
    for t in reversed(range(n)):
        for s in reversed(range(t)):
            if (X[s] == X[t]).all() and moves[s] != moves[t]:
                return np.array([s, t])
    return None""",
}

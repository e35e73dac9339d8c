"""A grid maze for chapter 1: an RNN agent that follows a path of marked cells.

The world
---------
A maze is a rectangular grid in which some cells are marked: they form one *path*, a simple chain of
cells in which consecutive cells share a side and no two cells that are not consecutive share a side
(the path never touches itself, so from every cell at most two marked neighbours are visible). Rows
grow downwards, columns to the right.

``path[0]`` is the *entrance*, ``path[1]`` the *start* (directly above the entrance) and ``path[-1]``
the *goal*. The agent stands on the start, having just come up from the entrance: that is why its
first state is ``h_0 = (1, 0, 0, 0)`` = "up".

The agent
---------
At step ``t`` the agent stands on cell ``p_t`` and sees ``x_t`` in {0, 1}^4, ordered
``(up, right, left, down)``: entry ``i`` is 1 when the neighbour in direction ``i`` is a path cell.
The cell it came from is a path cell too, so it is included; on the path between start and goal
``x_t`` therefore holds exactly two ones (back and forward). The RNN updates

    h_{t+1} = W x_t + U h_t + b,        h_0 = (1, 0, 0, 0),

and the agent moves one cell in the direction of the *largest* entry of ``h_{t+1}``. The largest
entry must be unique (a tie within ``TIE_TOL`` is an error: the agent does not know where to go).
So ``h_t`` encodes the move that brought the agent onto ``p_t``.

The agent succeeds when it reaches the goal having stepped along the path cell by cell. It fails when
it steps onto a cell that is not marked ("left the path"), steps back onto a path cell other than the
next one ("turned back"), when ``h`` is not finite or its largest entry is tied, or after
``max_steps`` steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .checks import as_array, fail

DIRECTIONS = ("up", "right", "left", "down")
LETTERS = "URLD"
OFFSETS = ((-1, 0), (0, 1), (0, -1), (1, 0))  # (row, col) change of one move in each direction
UP, RIGHT, LEFT, DOWN = range(4)
OPPOSITE = (DOWN, LEFT, RIGHT, UP)
H0 = np.array([1.0, 0.0, 0.0, 0.0])
TIE_TOL = 1e-9

Cell = tuple[int, int]


def _step(cell: Cell, direction: int) -> Cell:
    dr, dc = OFFSETS[direction]
    return (cell[0] + dr, cell[1] + dc)


def _direction(a: Cell, b: Cell) -> int:
    """The direction index of the move from cell a to the neighbouring cell b."""
    delta = (b[0] - a[0], b[1] - a[1])
    if delta not in OFFSETS:
        raise ValueError(f"cells {a} and {b} are not neighbours")
    return OFFSETS.index(delta)


def _parse_moves(moves) -> list[int]:
    if isinstance(moves, str):
        try:
            return [LETTERS.index(ch) for ch in moves.upper() if not ch.isspace()]
        except ValueError:
            raise ValueError(f"moves {moves!r}: use the letters U, R, L, D") from None
    return [int(m) for m in moves]


@dataclass(frozen=True)
class Maze:
    """A path of cells on a grid; see the module docstring for the rules.

    ``path`` lists the cells ``(row, col)`` from the entrance to the goal; ``shape`` is
    ``(rows, cols)`` of the grid. A `Maze` checks itself on creation and raises ValueError when the
    path is not a valid non-touching path with the entrance directly below the start.
    """

    path: tuple[Cell, ...]
    shape: tuple[int, int]
    name: str = ""
    _cells: frozenset = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        path = tuple((int(r), int(c)) for r, c in self.path)
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "shape", (int(self.shape[0]), int(self.shape[1])))
        object.__setattr__(self, "_cells", frozenset(path))
        self._validate()

    def _validate(self) -> None:
        rows, cols = self.shape
        if len(self.path) < 3:
            raise ValueError("a maze path needs an entrance, a start and at least one more cell")
        if len(self._cells) != len(self.path):
            raise ValueError("the path visits a cell twice")
        for r, c in self.path:
            if not (0 <= r < rows and 0 <= c < cols):
                raise ValueError(f"cell {(r, c)} lies outside the {rows} x {cols} grid")
        for a, b in zip(self.path, self.path[1:]):
            _direction(a, b)  # raises when not neighbours
        if _direction(self.path[0], self.path[1]) != UP:
            raise ValueError("the start must lie directly above the entrance (h_0 = up)")
        index = {cell: i for i, cell in enumerate(self.path)}
        for i, cell in enumerate(self.path):
            for d in range(4):
                j = index.get(_step(cell, d))
                if j is not None and abs(i - j) != 1:
                    raise ValueError(f"the path touches itself: cells {i} {cell} and {j} {self.path[j]}")

    # ----------------------------------------------------------------------------------------------
    @classmethod
    def from_moves(cls, moves, name: str = "", margin: int = 1) -> Maze:
        """Build a maze from the moves after the start, e.g. ``Maze.from_moves("UURRDD")``.

        The entrance lies below the start; the grid is the bounding box plus `margin` wall cells.
        """
        cells = [(0, 0), (-1, 0)]
        for d in _parse_moves(moves):
            if not 0 <= d < 4:
                raise ValueError(f"move {d} is not a direction index 0..3")
            cells.append(_step(cells[-1], d))
        r0 = min(r for r, _ in cells)
        c0 = min(c for _, c in cells)
        path = [(r - r0 + margin, c - c0 + margin) for r, c in cells]
        shape = (max(r for r, _ in path) + 1 + margin, max(c for _, c in path) + 1 + margin)
        return cls(tuple(path), shape, name)

    @property
    def entrance(self) -> Cell:
        return self.path[0]

    @property
    def start(self) -> Cell:
        return self.path[1]

    @property
    def goal(self) -> Cell:
        return self.path[-1]

    def __len__(self) -> int:
        """The number of moves from the start to the goal."""
        return len(self.path) - 2

    def is_path(self, cell: Cell) -> bool:
        return tuple(cell) in self._cells

    def observe(self, cell: Cell) -> np.ndarray:
        """The input x in {0, 1}^4 (up, right, left, down) seen on `cell`."""
        return np.array([float(self.is_path(_step(tuple(cell), d))) for d in range(4)])

    def moves(self) -> list[int]:
        """The correct moves (direction indices) from the start to the goal."""
        return [_direction(a, b) for a, b in zip(self.path[1:], self.path[2:])]

    def route_data(self) -> tuple[np.ndarray, np.ndarray]:
        """``(X, moves)`` along the correct route: ``X[t]`` is the input on ``path[t + 1]`` and
        ``moves[t]`` the move that must follow it; shapes ``(len(self), 4)`` and ``(len(self),)``."""
        X = np.array([self.observe(cell) for cell in self.path[1:-1]])
        return X, np.array(self.moves(), dtype=int)

    def grid(self) -> np.ndarray:
        """A boolean array of the grid's shape, True on path cells."""
        g = np.zeros(self.shape, dtype=bool)
        for r, c in self.path:
            g[r, c] = True
        return g

    def move_string(self) -> str:
        return "".join(LETTERS[d] for d in self.moves())

    def __str__(self) -> str:
        g = np.full(self.shape, "#", dtype="<U1")
        for r, c in self.path:
            g[r, c] = "."
        g[self.entrance], g[self.start], g[self.goal] = "E", "S", "G"
        return "\n".join("".join(row) for row in g)


# --------------------------------------------------------------------------------------------------
def random_maze(
    seed: int | None = None,
    length: int | tuple[int, int] = (8, 40),
    straight: float = 0.5,
    max_tries: int = 10_000,
    name: str | None = None,
) -> Maze:
    """A random non-touching path, deterministic given `seed`.

    `length` is the number of moves from start to goal (an int, or a ``(low, high)`` range to draw
    from). At each step the walk keeps its direction with probability `straight` (when it can) and
    otherwise picks uniformly among the allowed turns; a walk that traps itself starts again.
    """
    rng = np.random.default_rng(seed)
    n = int(rng.integers(length[0], length[1] + 1)) if isinstance(length, tuple) else int(length)
    if n < 1:
        raise ValueError("length must be at least 1")
    for _ in range(max_tries):
        cells = [(0, 0), (-1, 0)]
        taken = set(cells)
        heading = UP
        moves: list[int] = []
        while len(moves) < n:
            here = cells[-1]
            options = []
            for d in range(4):
                nxt = _step(here, d)
                if nxt in taken:
                    continue
                if any(_step(nxt, e) in taken for e in range(4) if _step(nxt, e) != here):
                    continue
                options.append(d)
            if not options:
                break
            if heading in options and rng.random() < straight:
                d = heading
            else:
                turns = [d for d in options if d != heading] or options
                d = int(rng.choice(turns))
            moves.append(d)
            cells.append(_step(here, d))
            taken.add(cells[-1])
            heading = d
        if len(moves) == n:
            return Maze.from_moves(moves, name=name if name is not None else f"random maze (seed {seed})")
    raise RuntimeError(f"no path of length {n} found in {max_tries} tries")


def demo_maze() -> Maze:
    """The chapter's maze: it goes up, right, down, right, up and left, so a vertical corridor is
    walked both upwards and downwards (the same input must lead to different moves)."""
    return Maze.from_moves("UUUURRRDDDDRRRUUUUUUULLLLLLL", name="the chapter's maze")


def spiral_maze(turns: int = 6, name: str = "spiral") -> Maze:
    """An inward square spiral: up, right, down, left with the legs shrinking every two turns."""
    legs = []
    size = 2 * (turns // 2) + 3
    order = [UP, RIGHT, DOWN, LEFT]
    for k in range(turns + 1):
        legs.append(LETTERS[order[k % 4]] * max(size - 2 * (k // 2), 1))
    moves = "".join(legs)
    # shrink by 2 per pair of legs keeps one wall cell between the rings
    return Maze.from_moves(moves, name=name)


def snake_maze(columns: int = 4, height: int = 5, name: str = "snake") -> Maze:
    """A boustrophedon: up `height`, right 2, down `height`, right 2, ... (`columns` vertical legs)."""
    legs = []
    for k in range(columns):
        legs.append(("U" if k % 2 == 0 else "D") * height)
        if k < columns - 1:
            legs.append("RR")
    return Maze.from_moves("".join(legs), name=name)


# --------------------------------------------------------------------------------------------------
def _as_float_array(value, name: str) -> np.ndarray:
    return np.array(as_array(value, name))  # a copy: the walk never touches the student's arrays


def check_parameters(W, U, b) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``W, U, b`` as float arrays of shapes (4, 4), (4, 4), (4,); GradingError otherwise.

    ``b`` may also be given as a (4, 1) or (1, 4) array; it is flattened.
    """
    W = _as_float_array(W, "W")
    U = _as_float_array(U, "U")
    b = _as_float_array(b, "b")
    for name, arr in (("W", W), ("U", U)):
        if arr.shape != (4, 4):
            fail(f"{name}: expected shape (4, 4), found shape {arr.shape}")
    if b.size == 4 and b.ndim <= 2:
        b = b.reshape(4)
    if b.shape != (4,):
        fail(f"b: expected shape (4,), found shape {b.shape}")
    for name, arr in (("W", W), ("U", U), ("b", b)):
        if not np.all(np.isfinite(arr)):
            fail(f"{name}: contains a non-finite value (NaN or inf): {arr.tolist()}")
    return W, U, b


def read_direction(h: np.ndarray, tol: float = TIE_TOL) -> tuple[int | None, str]:
    """The direction of the unique largest entry of h, or ``(None, reason)``."""
    if not np.all(np.isfinite(h)):
        return None, f"h is not finite: {np.array2string(h, precision=4)}"
    order = np.argsort(-h, kind="stable")
    if h[order[0]] - h[order[1]] <= tol:
        tied = [DIRECTIONS[i] for i in range(4) if h[order[0]] - h[i] <= tol]
        return None, (
            f"the largest entry of h = {np.array2string(h, precision=4)} is tied between "
            f"{' and '.join(tied)}, so the agent does not know where to go"
        )
    return int(order[0]), ""


@dataclass
class Run:
    """What happened when an agent walked a maze."""

    maze: Maze
    positions: list[Cell]  # p_0 = start, p_1, ...
    states: list[np.ndarray]  # h_0, h_1, ...
    inputs: list[np.ndarray]  # x_0, x_1, ...
    status: str  # "goal", "left the path", "turned back", "stuck", "step limit"
    message: str

    @property
    def success(self) -> bool:
        return self.status == "goal"

    @property
    def steps(self) -> int:
        return len(self.positions) - 1


def simulate_policy(step, maze: Maze, state0, max_steps: int | None = None) -> Run:
    """Walk `maze` with any agent: ``scores, state = step(x, state)`` for each input ``x``.

    The agent moves in the direction of the unique largest entry of ``scores`` (4 numbers); the
    states recorded in the returned `Run` are the scores. The walk stops at the goal, at the first
    mistake or after `max_steps` moves (default: the path length).
    """
    max_steps = len(maze) if max_steps is None else int(max_steps)
    expected = maze.moves()
    pos, state = maze.start, state0
    positions, states, inputs = [pos], [np.asarray(state0, dtype=float) if state0 is not None else None], []
    for t in range(max_steps):
        x = maze.observe(pos)
        with np.errstate(all="ignore"):
            scores, state = step(x, state)
            h = np.asarray(scores, dtype=float).reshape(-1)
        inputs.append(x)
        states.append(h)
        if h.shape != (4,):
            return Run(
                maze,
                positions,
                states,
                inputs,
                "stuck",
                f"step {t + 1}: the agent's output has {h.size} entries, expected 4",
            )
        d, reason = read_direction(h)
        if d is None:
            return Run(maze, positions, states, inputs, "stuck", f"step {t + 1}, on cell {pos}: {reason}")
        nxt = _step(pos, d)
        positions.append(nxt)
        right = DIRECTIONS[expected[t]]
        where = f"step {t + 1}: on cell {pos} with input x = {x.astype(int).tolist()} the agent moved {DIRECTIONS[d]}"
        if not maze.is_path(nxt):
            return Run(
                maze,
                positions,
                states,
                inputs,
                "left the path",
                f"{where} onto a wall cell {nxt}; the path goes {right} (h = {np.array2string(h, precision=4)})",
            )
        if d != expected[t]:
            return Run(
                maze,
                positions,
                states,
                inputs,
                "turned back",
                f"{where}, back to where it came from; the path goes {right} (h = {np.array2string(h, precision=4)})",
            )
        pos = nxt
        if pos == maze.goal:
            return Run(maze, positions, states, inputs, "goal", f"reached the goal in {t + 1} steps")
    return Run(maze, positions, states, inputs, "step limit", f"did not reach the goal within {max_steps} steps")


def simulate(W, U, b, maze: Maze, h0=None, max_steps: int | None = None) -> Run:
    """Walk `maze` with the RNN ``h_{t+1} = W x_t + U h_t + b`` (largest entry of h = move).

    Parameters are checked first (`check_parameters`: GradingError on a wrong shape or NaN). The walk
    stops at the goal, at the first mistake or after `max_steps` moves (default: the path length).
    """
    W, U, b = check_parameters(W, U, b)
    h0 = H0.copy() if h0 is None else _as_float_array(h0, "h0").reshape(4)

    def step(x, h):
        h = W @ x + U @ h + b
        return h, h

    return simulate_policy(step, maze, h0, max_steps)


def check_agent(W, U, b, maze: Maze) -> Run:
    """GradingError unless the agent walks from the start to the goal of `maze`."""
    run = simulate(W, U, b, maze)
    if not run.success:
        label = f"maze {maze.name!r}" if maze.name else "maze"
        fail(
            f"{label} ({len(maze)} moves, route {maze.move_string()}): the agent failed ({run.status}) at {run.message}"
        )
    return run


# --------------------------------------------------------------------------------------------------
def draw(maze: Maze, run: Run | None = None, ax=None, title: str | None = None, show_inputs: bool = False):
    """Draw the maze (walls dark, path light, E/S/G marked) and, if given, the agent's route.

    A walk that reaches the goal is drawn solid and blue; a failed one dashed and red, ending in a cross on
    the cell where it went wrong. Returns the Axes.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    rows, cols = maze.shape
    if ax is None:
        scale = 0.38
        _, ax = plt.subplots(figsize=(max(3.0, cols * scale), max(3.0, rows * scale)))
    ax.imshow(
        maze.grid().astype(int),
        cmap=ListedColormap(["#3b3b46", "#f3efe2"]),
        vmin=0,
        vmax=1,
        origin="upper",
        interpolation="nearest",
    )
    ax.set_xticks(np.arange(-0.5, cols, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, rows, 1), minor=True)
    ax.grid(which="minor", color="#888888", linewidth=0.3)
    ax.tick_params(which="both", bottom=False, left=False, labelbottom=False, labelleft=False)
    for cell, label, color in (
        (maze.entrance, "E", "#777777"),
        (maze.start, "S", "#1f77b4"),
        (maze.goal, "G", "#2ca02c"),
    ):
        ax.text(cell[1], cell[0], label, ha="center", va="center", fontsize=9, fontweight="bold", color=color)
    if show_inputs:
        for cell in maze.path[1:-1]:
            x = maze.observe(cell).astype(int)
            ax.text(cell[1], cell[0] + 0.32, "".join(map(str, x)), ha="center", va="center", fontsize=5)
    if run is not None:
        ys = [p[0] for p in run.positions]
        xs = [p[1] for p in run.positions]
        # colour and line style both tell a walk that reached the goal from one that failed
        color = "#1f77b4" if run.success else "#d62728"
        ax.plot(xs, ys, "-" if run.success else "--", color=color, linewidth=2.2, alpha=0.8)
        for (r0, c0), (r1, c1) in zip(run.positions, run.positions[1:]):
            ax.annotate(
                "",
                xy=(c0 + 0.6 * (c1 - c0), r0 + 0.6 * (r1 - r0)),
                xytext=(c0, r0),
                arrowprops=dict(arrowstyle="->", color=color, lw=1.4),
            )
        if not run.success:
            r, c = run.positions[-1]
            ax.plot([c], [r], "x", color="#d62728", markersize=14, markeredgewidth=3)
    if title is None:
        title = maze.name or "maze"
        if run is not None:
            title += f": {run.status}" + ("" if run.success else f" after {run.steps} steps")
    ax.set_title(title, fontsize=10)
    return ax

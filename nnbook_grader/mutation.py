"""Mutants of a model answer: small faults of the kinds students make, for judging the test cells.

    from nnbook_grader import mutation
    for m in mutation.mutants(source, cap=40, seed=0):
        print(m.operator, m.diff)

`mutants(source)` parses an autograded answer cell and applies one operator at one place inside its
``### BEGIN SOLUTION`` / ``### END SOLUTION`` regions (the given lines around them stay as they are):

* arithmetic and comparison operator swaps (``+`` / ``-``, ``*`` / ``/``, ``@`` -> ``*``, ``<`` / ``<=`` ...);
* constants +-1 (``0`` <-> ``1`` among them), booleans flipped;
* index shifts (``x[t]`` -> ``x[t - 1]``, ``x[t + 1]``) and slice ends moved or dropped;
* ``axis`` / ``dim`` arguments changed or dropped;
* a transpose removed (``.T``, ``.transpose()``, ``np.transpose(x)``) or added to a matrix product's operand;
* two positional arguments of a call swapped; one statement deleted; ``+=`` (any augmented assignment) -> ``=``;
* activations swapped (tanh / sigmoid / relu: functions, ``nn`` classes and Keras' activation names);
* ``sum`` <-> ``mean`` (and ``reduce_sum`` <-> ``reduce_mean``); a bias term dropped (``x + b`` -> ``x``).

Each mutant is the whole cell unparsed by ``ast.unparse`` (comments and markers are gone; it runs the
same). Mutants are deduplicated by source; when a cell has more places than `cap`, a fixed-seed sample
of `cap` is drawn that takes the kinds of operator in turn. `diff` holds only the changed lines of the
unparsed cell ('-old' / '+new'), the key of the allowlist of equivalent mutants (`equivalent_mutants`).
"""

from __future__ import annotations

import ast
import copy
import difflib
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .cells import SOLUTION_MARKER

CAP = 40

# the operators by their symbol, and what each may be swapped for (by symbol)
OPERATORS = {
    "+": ast.Add, "-": ast.Sub, "*": ast.Mult, "/": ast.Div, "@": ast.MatMult, "**": ast.Pow, "//": ast.FloorDiv,
    "%": ast.Mod, "<": ast.Lt, "<=": ast.LtE, ">": ast.Gt, ">=": ast.GtE, "==": ast.Eq, "!=": ast.NotEq,
    "is": ast.Is, "is not": ast.IsNot, "in": ast.In, "not in": ast.NotIn,
}  # fmt: skip
SYMBOLS = {op: symbol for symbol, op in OPERATORS.items()}
BINOP_SWAPS = {"+": ["-"], "-": ["+"], "*": ["/"], "/": ["*"], "@": ["*"], "**": ["*"], "//": ["/"], "%": ["//"]}
COMPARE_SWAPS = {
    "<": ["<=", ">"], "<=": ["<", ">="], ">": [">=", "<"], ">=": [">", "<="], "==": ["!="], "!=": ["=="],
    "is": ["is not"], "is not": ["is"], "in": ["not in"], "not in": ["in"],
}  # fmt: skip
ACTIVATIONS = ("tanh", "sigmoid", "relu")
ACTIVATION_CLASSES = ("Tanh", "Sigmoid", "ReLU")
REDUCTIONS = {"sum": "mean", "mean": "sum", "reduce_sum": "reduce_mean", "reduce_mean": "reduce_sum"}
AXIS_KEYWORDS = ("axis", "dim", "axes")
NUMPY_LIKE = {"np": "numpy", "numpy": "numpy", "sp": "sympy", "sympy": "sympy"}
BIAS = re.compile(r"^(b|bias\w*|b_\w+|\w+_b|\w*_bias\w*|b[a-z0-9])$", re.IGNORECASE)


@dataclass(frozen=True)
class Mutant:
    operator: str  # what was changed, e.g. "binop + -> -" or "delete statement"
    source: str  # the whole mutated cell, unparsed
    diff: str  # the changed lines of the unparsed cell, '-old' / '+new'


def solution_regions(source: str) -> list[tuple[int, int]]:
    """1-based line ranges (inclusive) inside the solution regions (between their BEGIN and END markers)."""
    regions, start = [], None
    for number, line in enumerate(source.splitlines(), 1):
        if SOLUTION_MARKER.match(line) and "BEGIN" in line:
            start = number
        elif SOLUTION_MARKER.match(line) and start is not None:
            regions.append((start + 1, number - 1))
            start = None
    return regions


def diff(before: str, after: str) -> str:
    """The changed lines only (no headers, no context): the key of an allowlist entry."""
    lines = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return "\n".join(line for line in lines if not line.startswith(("---", "+++", "@@")))


def mutants(source: str, cap: int | None = CAP, seed: int = 0) -> list[Mutant]:
    """The mutants of an answer cell's solution regions, deduplicated; at most `cap` (a sample drawn
    with `seed`), in the order they were generated. A cell that does not parse has none."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    regions = solution_regions(source)
    original = ast.unparse(tree)
    sites = [
        (index, label, change)
        for index, node in enumerate(ast.walk(tree))
        if _inside(node, regions)
        for label, change in _sites(node)
    ]
    order = list(range(len(sites)))
    if cap is not None and len(sites) > cap:
        order = _stratified(sites, random.Random(seed))
    found, seen = {}, {original}
    for position in order:
        index, label, change = sites[position]
        mutated = _apply(tree, index, change)
        if mutated is None or mutated in seen:
            continue
        seen.add(mutated)
        found[position] = Mutant(label, mutated, diff(original, mutated))
        if cap is not None and len(found) >= cap:
            break
    return [found[position] for position in sorted(found)]


def _stratified(sites: list, rng: random.Random) -> list[int]:
    """Site positions in a fixed-seed order that takes the kinds of operator in turn (statement
    deletions, operator swaps, constants, ...), so a capped sample is not all constants."""
    groups: dict[str, list[int]] = {}
    for position, (_, label, _) in enumerate(sites):
        groups.setdefault(label.split()[0], []).append(position)
    for members in groups.values():
        rng.shuffle(members)
    order = []
    while any(groups.values()):
        for members in groups.values():
            if members:
                order.append(members.pop())
    return order


# --- where a mutant can go ------------------------------------------------------------------------


def _inside(node: ast.AST, regions: list[tuple[int, int]]) -> bool:
    line, end = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
    if line is None and isinstance(node, (ast.operator, ast.cmpop, ast.expr_context)):
        return False
    if line is None:  # keyword, arguments, comprehension: judged by their first child with a position
        child = next((c for c in ast.walk(node) if getattr(c, "lineno", None) is not None), None)
        if child is None:
            return False
        line, end = child.lineno, child.end_lineno
    return any(a <= line and end <= b for a, b in regions)


def _apply(tree: ast.Module, index: int, change: Callable) -> str | None:
    """Unparsed source of `tree` with `change` applied to a copy of its `index`-th node (walk order)."""
    twin = copy.deepcopy(tree)
    nodes = list(ast.walk(twin))
    node = nodes[index]
    parent, field, position = _parent(twin, node)
    try:
        new = change(node)
    except _Skip:
        return None
    if new is not node:
        container = getattr(parent, field)
        if position is None:
            setattr(parent, field, new)
        elif new is _DELETE:
            del container[position]
            if not container and field in ("body", "finalbody"):
                container.append(ast.Pass())
        else:
            container[position] = new
    ast.fix_missing_locations(twin)
    try:
        source = ast.unparse(twin)
        compile(source, "<mutant>", "exec")
    except (SyntaxError, ValueError, TypeError, AttributeError, RecursionError):
        return None
    return source


def _parent(tree: ast.AST, target: ast.AST) -> tuple[ast.AST, str, int | None]:
    for node in ast.walk(tree):
        for field, value in ast.iter_fields(node):
            if value is target:
                return node, field, None
            if isinstance(value, list):
                for position, item in enumerate(value):
                    if item is target:
                        return node, field, position
    return tree, "", None  # the module itself: never mutated


class _Skip(Exception):
    """This site has no mutant of this kind."""


_DELETE = object()


def _name(node: ast.AST) -> str | None:
    """The last name of a callee or operand: `np.tanh` -> 'tanh', `self.bias` -> 'bias', `b[0]` -> 'b'."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        return _name(node.value)
    return None


def _root(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _expr(text: str) -> ast.expr:
    return ast.parse(text, mode="eval").body


def _shift(node: ast.expr, op: type, amount: int = 1) -> ast.expr:
    return ast.BinOp(left=node, op=op(), right=ast.Constant(amount))


def _sites(node: ast.AST) -> Iterator[tuple[str, Callable]]:
    """(label, change) for every mutant of `node`; `change` edits a copy of the node in place and
    returns it, or returns a replacement node, or _DELETE (statements)."""
    for operator in _KINDS:
        yield from operator(node)


def _binop(node):
    if not isinstance(node, ast.BinOp):
        return
    for new in BINOP_SWAPS.get(_symbol(node.op), []):
        yield f"binop {_symbol(node.op)} -> {new}", lambda n, new=new: _set(n, "op", OPERATORS[new]())
    if isinstance(node.op, ast.Add):  # a bias term dropped
        if BIAS.match(_name(node.right) or ""):
            yield "bias dropped", lambda n: n.left
        if BIAS.match(_name(node.left) or ""):
            yield "bias dropped", lambda n: n.right
    if isinstance(node.op, ast.MatMult):  # a transpose added to one operand (not to one already transposed)
        for side in ("left", "right"):
            if not _transposed(getattr(node, side)):
                yield "transpose added", lambda n, side=side: _set(n, side, _transpose_of(getattr(n, side)))


def _augassign(node):
    if not isinstance(node, ast.AugAssign):
        return
    for new in BINOP_SWAPS.get(_symbol(node.op), []):
        yield f"augassign {_symbol(node.op)}= -> {new}=", lambda n, new=new: _set(n, "op", OPERATORS[new]())
    yield f"augassign {_symbol(node.op)}= -> =", lambda n: ast.Assign(targets=[n.target], value=n.value)


def _compare(node):
    if not isinstance(node, ast.Compare):
        return
    for position, op in enumerate(node.ops):
        for new in COMPARE_SWAPS.get(_symbol(op), []):

            def change(n, position=position, new=new):
                n.ops[position] = OPERATORS[new]()
                return n

            yield f"compare {_symbol(op)} -> {new}", change


def _constant(node):
    if not isinstance(node, ast.Constant):
        return
    value = node.value
    if isinstance(value, bool):
        yield "constant flipped", lambda n: _set(n, "value", not n.value)
    elif isinstance(value, (int, float)):
        yield "constant +1", lambda n: _set(n, "value", n.value + 1)
        yield "constant -1", lambda n: _set(n, "value", n.value - 1)
    elif isinstance(value, str) and value in ACTIVATIONS:  # Keras: activation="tanh"
        for other in ACTIVATIONS:
            if other != value:
                yield f"activation {value} -> {other}", lambda n, other=other: _set(n, "value", other)


def _subscript(node):
    if not isinstance(node, ast.Subscript) or isinstance(node.ctx, ast.Del):
        return
    index = node.slice
    items = index.elts if isinstance(index, ast.Tuple) else [index]
    for position, item in enumerate(items):
        if isinstance(item, (ast.Slice, ast.Constant, ast.Starred)):
            continue  # slices: _slice; constants: _constant
        for op, sign in ((ast.Sub, "-"), (ast.Add, "+")):

            def change(n, position=position, op=op):
                if isinstance(n.slice, ast.Tuple):
                    n.slice.elts[position] = _shift(n.slice.elts[position], op)
                else:
                    n.slice = _shift(n.slice, op)
                return n

            yield f"index shift {sign}1", change


def _slice(node):
    if not isinstance(node, ast.Slice):
        return
    for end in ("lower", "upper"):
        if getattr(node, end) is None:
            continue
        yield f"slice {end} dropped", lambda n, end=end: _set(n, end, None)
        if not isinstance(getattr(node, end), ast.Constant):  # constants: _constant
            for op, sign in ((ast.Sub, "-"), (ast.Add, "+")):
                yield f"slice {end} {sign}1", lambda n, end=end, op=op: _set(n, end, _shift(getattr(n, end), op))
    if node.step is not None:
        yield "slice step dropped", lambda n: _set(n, "step", None)


def _keyword(node):
    if not isinstance(node, ast.keyword) or node.arg not in AXIS_KEYWORDS:
        return
    value = node.value
    if isinstance(value, ast.Constant) and isinstance(value.value, int) and not isinstance(value.value, bool):
        yield f"{node.arg} +1", lambda n: _set(n, "value", ast.Constant(n.value.value + 1))
        yield f"{node.arg} -1", lambda n: _set(n, "value", ast.Constant(n.value.value - 1))
    yield f"{node.arg} dropped", lambda n: _set(n, "value", ast.Constant(None))


def _transpose(node):
    if isinstance(node, ast.Attribute) and node.attr in ("T", "mT") and isinstance(node.ctx, ast.Load):
        yield "transpose removed", lambda n: n.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        name, root = node.func.attr, _root(node.func)
        if name in ("transpose", "t", "permute") and not node.keywords:
            if root in NUMPY_LIKE or root in ("torch", "tf"):  # np.transpose(x), torch.t(x)
                if node.args:
                    yield "transpose removed", lambda n: n.args[0]
            elif name != "permute" or node.args:  # x.transpose(), x.t(), x.permute(...)
                yield "transpose removed", lambda n: n.func.value
        if name in ("dot", "matmul") and len(node.args) == 2:  # np.dot(a, b): a transpose added
            for position in (0, 1):
                if _transposed(node.args[position]):
                    continue

                def change(n, position=position):
                    n.args[position] = _transpose_of(n.args[position])
                    return n

                yield "transpose added", change


def _call(node):
    if not isinstance(node, ast.Call):
        return
    args = node.args
    for i in range(len(args) - 1):
        if isinstance(args[i], ast.Starred) or isinstance(args[i + 1], ast.Starred):
            continue
        if ast.dump(args[i]) == ast.dump(args[i + 1]):
            continue

        def change(n, i=i):
            n.args[i], n.args[i + 1] = n.args[i + 1], n.args[i]
            return n

        yield f"arguments {i + 1} and {i + 2} swapped", change
    name, root = _name(node.func), _root(node.func)
    if name in ACTIVATIONS and len(args) == 1 and not node.keywords:
        for other in ACTIVATIONS:
            if other == name:
                continue
            if isinstance(node.func, ast.Attribute) and NUMPY_LIKE.get(root):
                module = ast.unparse(node.func.value)
                formula = {
                    "tanh": f"{module}.tanh(__x__)",
                    "sigmoid": f"1 / (1 + {module}.exp(-__x__))",
                    "relu": f"{module}.maximum(__x__, 0)" if NUMPY_LIKE[root] == "numpy" else f"{module}.Max(__x__, 0)",
                }[other]
                yield f"activation {name} -> {other}", lambda n, formula=formula: _substitute(formula, n.args[0])
            else:
                yield f"activation {name} -> {other}", lambda n, other=other: _rename(n, other)
    if name in ACTIVATION_CLASSES and isinstance(node.func, ast.Attribute):  # nn.Tanh()
        for other in ACTIVATION_CLASSES:
            if other != name:
                yield f"activation {name} -> {other}", lambda n, other=other: _rename(n, other)
    if name in REDUCTIONS and not (isinstance(node.func, ast.Name) and name == "sum"):  # builtin sum: no mean
        other = REDUCTIONS[name]
        yield f"reduction {name} -> {other}", lambda n, other=other: _rename(n, other)


def _statement(node):
    if isinstance(node, ast.stmt) and not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
        yield "statement deleted", lambda n: _DELETE


def _symbol(op: ast.AST) -> str:
    return SYMBOLS.get(type(op), type(op).__name__)


def _transposed(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr in ("T", "mT")


def _transpose_of(node: ast.expr) -> ast.expr:
    return ast.Attribute(node, "T", ast.Load())


def _set(node, field, value):
    setattr(node, field, value)
    return node


def _rename(call: ast.Call, name: str) -> ast.Call:
    if isinstance(call.func, ast.Attribute):
        call.func.attr = name
    else:
        call.func = ast.Name(name, ast.Load())
    return call


def _substitute(formula: str, argument: ast.expr) -> ast.expr:
    tree = _expr(formula)
    for node in ast.walk(tree):
        for field, value in ast.iter_fields(node):
            if isinstance(value, ast.Name) and value.id == "__x__":
                setattr(node, field, argument)
            elif isinstance(value, list):
                value[:] = [argument if isinstance(v, ast.Name) and v.id == "__x__" else v for v in value]
    return tree


_KINDS = (_statement, _keyword, _binop, _augassign, _compare, _subscript, _slice, _transpose, _call, _constant)


# --- the report -----------------------------------------------------------------------------------


def allowlist(notebook) -> dict[str, list[dict]]:
    """The equivalent mutants a solution notebook lists: {grade_id: [{"diff": ..., "why": ...}]}
    in ``nb.metadata["nnbook"]["equivalent_mutants"]``: a survivor whose diff is listed computes the
    same function as the model answer (the reason says why) and is left out of the score."""
    return dict(notebook.metadata.get("nnbook", {}).get("equivalent_mutants", {}))


@dataclass
class Score:
    """The mutation score of one exercise, from the harness's verdicts (nnbook_grader.harness.Exercise)."""

    chapter: str
    grade_id: str
    mutants: int
    killed: int
    by_visible: int  # mutants that fail a visible test cell
    by_hidden: int  # mutants that fail a hidden test cell
    stopped: int  # mutants that hung or killed the kernel (caught)
    equivalent: int  # survivors listed as equivalent
    survivors: list[dict]  # {"operator", "diff"} of every survivor not listed as equivalent
    stale: list[str]  # allowlisted diffs whose mutant was killed
    model: bool  # the model answer passes every test cell (and again after the candidates)
    right: tuple[int, int]  # right answers that pass every test cell, of how many
    wrong: tuple[int, int]  # wrong answers caught, of how many
    candidates: int
    seconds: float

    @property
    def counted(self) -> int:
        return self.mutants - self.equivalent

    @property
    def score(self) -> float | None:
        return self.killed / self.counted if self.counted else None

    @property
    def hidden_score(self) -> float | None:
        return self.by_hidden / self.counted if self.counted else None


def score(exercise, equivalent: list[dict] | None = None) -> Score:
    listed = {entry["diff"].strip() for entry in equivalent or []}
    mutants = [v for v in exercise.verdicts if v.candidate.kind == "mutant"]
    killed = [v for v in mutants if v.caught]
    survivors = [v for v in mutants if not v.caught and v.candidate.diff.strip() not in listed]
    models = [v for v in exercise.verdicts if v.candidate.kind == "model"] + [exercise.model_after_restore]
    rights = [v for v in exercise.verdicts if v.candidate.kind == "right"]
    wrongs = [v for v in exercise.verdicts if v.candidate.kind == "wrong"]
    return Score(
        chapter=exercise.chapter,
        grade_id=exercise.grade_id,
        mutants=len(mutants),
        killed=len(killed),
        by_visible=sum(1 for v in mutants if v.failed(exercise.visible)),
        by_hidden=sum(1 for v in mutants if v.failed(exercise.hidden) or v.stopped),
        stopped=sum(1 for v in mutants if v.stopped),
        equivalent=len(mutants) - len(killed) - len(survivors),
        survivors=[{"operator": v.candidate.name, "diff": v.candidate.diff} for v in survivors],
        stale=sorted(v.candidate.diff for v in killed if v.candidate.diff.strip() in listed),
        model=all(v is None or not v.caught for v in models),
        right=(sum(1 for v in rights if not v.caught), len(rights)),
        wrong=(sum(1 for v in wrongs if v.caught), len(wrongs)),
        candidates=len(exercise.verdicts) + (exercise.model_after_restore is not None),
        seconds=sum(v.seconds for v in exercise.verdicts)
        + (exercise.model_after_restore.seconds if exercise.model_after_restore else 0.0),
    )


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f} %"


def _of(pair: tuple[int, int]) -> str:
    return "-" if not pair[1] else f"{pair[0]}/{pair[1]}"


def table(scores: list[Score]) -> str:
    """The per-exercise table (Markdown), then every survivor with its diff."""
    lines = [
        "| exercise | mutants | killed | by visible | by hidden | hung/died | equivalent | survived | score "
        "| hidden score | model | right | wrong caught | s/candidate |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        per = s.seconds / s.candidates if s.candidates else 0.0
        lines.append(
            f"| {s.grade_id} | {s.mutants} | {s.killed} | {s.by_visible} | {s.by_hidden} | {s.stopped} "
            f"| {s.equivalent} | {len(s.survivors)} | {_percent(s.score)} | {_percent(s.hidden_score)} "
            f"| {'ok' if s.model else 'FAILS'} | {_of(s.right)} | {_of(s.wrong)} | {per:.2f} |"
        )
    total = [s for s in scores if s.counted]
    if total:
        counted = sum(s.counted for s in total)
        lines.append(
            f"| all | {sum(s.mutants for s in scores)} | {sum(s.killed for s in scores)} "
            f"| {sum(s.by_visible for s in scores)} | {sum(s.by_hidden for s in scores)} "
            f"| {sum(s.stopped for s in scores)} | {sum(s.equivalent for s in scores)} "
            f"| {sum(len(s.survivors) for s in scores)} | {_percent(sum(s.killed for s in scores) / counted)} "
            f"| {_percent(sum(s.by_hidden for s in scores) / counted)} | | | | |"
        )
    for s in scores:
        for survivor in s.survivors:
            lines += ["", f"Survivor of {s.grade_id} ({survivor['operator']}):", "", "```diff", survivor["diff"], "```"]
        for diff_ in s.stale:
            lines += ["", f"Listed as equivalent in {s.grade_id} but killed (remove the entry):"]
            lines += ["", "```diff", diff_, "```"]
    return "\n".join(lines)

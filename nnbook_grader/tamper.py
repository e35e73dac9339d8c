"""Tampering: what a submission does to disarm the tests, found before and after it runs.

Student code and test code share one kernel, so a determined student can reach anything a test looks
up at run time (DESIGN.md, "Tests that a submission cannot disarm"). The grader makes that hard and
shows the instructor what it could not prevent:

* `scan` reads every code cell the student could write (all but the test cells) without running it
  and reports rebinding of imported modules' attributes or of `builtins`, edits of `sys.modules`,
  `setattr`/`delattr` on modules, rebinding a name that the test cells use (`check_close = ...`),
  frame and `gc` inspection, `ctypes`, dynamic code (`exec`, `eval`), and classes whose comparison
  returns a constant (an object that "equals everything");
* the box (nnbook_grader/box.py) runs a `Guard` in the kernel (nnbook_grader/kernel_guard.py): before
  the first cell it records the functions the checks rely on (the checks themselves, NumPy's, PyTorch's
  and sympy's, the builtins); before each test cell it puts back whatever was changed and rebinds the
  names that cell uses to what the trusted cells (set-up, tests) bound; after the last cell it reports
  what still differs. Each guard cell prints one line, tagged with a secret drawn per run, that the
  client (outside the box) reads; a guard that fails to run or to report is a finding too.

A submission with findings is graded as usual and flagged `review` (tools/grade.py's summary, the
grades CSV, the grading notes at the top of the autograded notebook and the Formgrader's comment).
"""

from __future__ import annotations

import ast
import json
import secrets
from dataclasses import dataclass

from nnbook import checks

from .cells import is_test, meta

# module attributes that are settings, meant to be assigned (torch.backends.cudnn.deterministic = True)
SETTINGS = ("torch.backends.", "tensorflow.config.", "pandas.options.", "matplotlib.rcParams")
# the grading helpers test cells call by name (every function of nnbook.checks): an answer cell that
# rebinds one disarms them
GRADER_NAMES = frozenset(
    name
    for name, value in vars(checks).items()
    if not name.startswith("_") and getattr(value, "__module__", "") == checks.__name__ and callable(value)
)
COMPARISONS = ("__eq__", "__ne__", "__bool__", "__lt__", "__le__", "__gt__", "__ge__", "__float__", "__index__")
HOOKS = ("__array__", "__array_ufunc__", "__array_function__", "__torch_function__", "_sympy_")
INSPECTION = {
    "_getframe",
    "currentframe",
    "getouterframes",
    "getinnerframes",
    "f_back",
    "f_globals",
    "f_locals",
    "tb_frame",
}
FORBIDDEN_IMPORTS = {"ctypes", "gc"}


@dataclass(frozen=True)
class Finding:
    cell: int  # 1-based, as the summary table counts cells
    line: int
    what: str
    grade_id: str = ""

    def __str__(self) -> str:
        where = f"cell {self.cell}" + (f" ({self.grade_id})" if self.grade_id else "")
        return f"{where}, line {self.line}: {self.what}" if self.line else f"{where}: {self.what}"


def _dotted(node: ast.AST) -> str | None:
    """'np.random.seed' for an attribute chain on a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def _constant_result(fn: ast.AST) -> bool:
    """A function (or lambda) that returns the same constant whatever it is given."""
    if isinstance(fn, ast.Lambda):
        return isinstance(fn.body, ast.Constant)
    if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
        returns = [n for n in ast.walk(fn) if isinstance(n, ast.Return)]
        return bool(returns) and all(isinstance(r.value, ast.Constant) for r in returns)
    return False


class _Scanner(ast.NodeVisitor):
    def __init__(self, modules: dict[str, str]):
        self.modules = modules  # local name -> module it stands for (from every import of the notebook)
        self.found: list[tuple[int, str]] = []

    def flag(self, node: ast.AST, what: str) -> None:
        self.found.append((getattr(node, "lineno", 0), what))

    def module_of(self, node: ast.AST) -> str | None:
        name = _dotted(node)
        if name is None:
            return None
        root = name.split(".")[0]
        if root in ("builtins", "__builtins__"):
            return "builtins"
        return self.modules.get(root)

    def target(self, node: ast.AST, verb: str) -> None:
        if isinstance(node, (ast.Tuple, ast.List)):
            for elt in node.elts:
                self.target(elt, verb)
        elif isinstance(node, ast.Starred):
            self.target(node.value, verb)
        elif isinstance(node, ast.Attribute):
            module = self.module_of(node.value)
            full = f"{module}.{_dotted(node).split('.', 1)[1]}" if module else ""
            if module is not None and not full.startswith(SETTINGS):
                self.flag(node, f"{verb} `{_dotted(node)}`, an attribute of the module {self.module_of(node.value)}")
            elif node.attr in ("__code__", "__class__", "__dict__", "__globals__"):
                self.flag(node, f"{verb} `{node.attr}` of an object")
        elif isinstance(node, ast.Subscript):
            base = _dotted(node.value) or ""
            if base in ("sys.modules", "__builtins__") or base.endswith(".__dict__") or _calls(node.value, "globals"):
                self.flag(node, f"{verb} an entry of `{base or 'globals()'}`")
        elif isinstance(node, ast.Name) and node.id in GRADER_NAMES:
            self.flag(node, f"{verb} `{node.id}`, which the test cells use")

    def visit_Assign(self, node):
        for t in node.targets:
            self.target(t, "rebinds")
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self.target(node.target, "rebinds")
        self.generic_visit(node)

    def visit_AnnAssign(self, node):
        self.target(node.target, "rebinds")
        self.generic_visit(node)

    def visit_Delete(self, node):
        for t in node.targets:
            self.target(t, "deletes")
        self.generic_visit(node)

    def visit_FunctionDef(self, node):
        if node.name in GRADER_NAMES:
            self.flag(node, f"defines a function `{node.name}`, a name the test cells use")
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        if node.name in GRADER_NAMES:
            self.flag(node, f"defines a class `{node.name}`, a name the test cells use")
        for item in node.body:
            names, value = [], item
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names = [item.name]
            elif isinstance(item, ast.Assign):
                names, value = [t.id for t in item.targets if isinstance(t, ast.Name)], item.value
            for name in names:
                if name in COMPARISONS and _constant_result(value):
                    self.flag(item, f"class `{node.name}` defines `{name}` returning a constant")
                elif name in HOOKS:
                    self.flag(item, f"class `{node.name}` defines `{name}`, a hook of NumPy/PyTorch/sympy conversions")
        self.generic_visit(node)

    def visit_Import(self, node):
        for alias in node.names:
            top = alias.name.split(".")[0]
            if top in FORBIDDEN_IMPORTS:
                self.flag(node, f"imports `{alias.name}`")
            if alias.asname in GRADER_NAMES:
                self.flag(node, f"imports a module as `{alias.asname}`, a name the test cells use")
        self.generic_visit(node)

    def visit_ImportFrom(self, node):
        top = (node.module or "").split(".")[0]
        if top in FORBIDDEN_IMPORTS:
            self.flag(node, f"imports from `{node.module}`")
        for alias in node.names:
            bound = alias.asname or alias.name
            if bound in GRADER_NAMES and not (top == "nnbook" and alias.name == bound):
                self.flag(node, f"binds `{bound}`, a name the test cells use, to `{node.module}.{alias.name}`")
        self.generic_visit(node)

    def visit_Call(self, node):
        name = _dotted(node.func) or ""
        if name in ("setattr", "delattr", "builtins.setattr", "object.__setattr__") and node.args:
            if self.module_of(node.args[0]) is not None or _dotted(node.args[0]) in ("sys.modules",):
                self.flag(node, f"`{name}` on the module `{_dotted(node.args[0])}`")
        elif name in ("exec", "eval", "compile", "__import__", "builtins.exec", "builtins.eval"):
            self.flag(node, f"runs dynamic code with `{name}` (the scan cannot see what it does)")
        elif isinstance(node.func, ast.Attribute) and node.func.attr in _MUTATORS and _namespace(node.func.value):
            self.flag(node, f"changes a namespace with `{ast.unparse(node.func)}`")
        elif name in ("importlib.reload", "reload"):
            self.flag(node, f"reloads a module with `{name}`")
        self.generic_visit(node)

    def visit_Attribute(self, node):
        if node.attr in INSPECTION:
            self.flag(node, f"inspects frames (`{node.attr}`)")
        self.generic_visit(node)

    def visit_Name(self, node):
        if node.id == "__builtins__":
            self.flag(node, "uses `__builtins__`")
        self.generic_visit(node)


_MUTATORS = ("update", "pop", "setdefault", "__setitem__", "__delitem__", "clear", "popitem")


def _namespace(node: ast.AST) -> bool:
    """`sys.modules`, `__builtins__`, `globals()`, `vars(x)`, `x.__dict__`: namespaces a cell must not edit."""
    name = _dotted(node) or ""
    return name in ("sys.modules", "__builtins__") or name.endswith(".__dict__") or _calls(node, "globals", "vars")


def _calls(node: ast.AST, *names: str) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names


def _imports(trees) -> dict[str, str]:
    """local name -> module, for every `import x [as y]` and `from p import m` of a module."""
    out = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        out[alias.asname] = alias.name
                    else:
                        out[alias.name.split(".")[0]] = alias.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    if alias.name[:1].islower() and alias.name in _SUBMODULES.get(node.module, ()):
                        out[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    out.update(builtins="builtins")
    return out


# `from X import m` binds a module only for these (anything else imported that way is a function)
_SUBMODULES = {
    "nnbook": ("checks", "probes", "tensors", "runtime", "plots", "mnist"),
    "torch": ("nn", "optim", "autograd", "linalg"),
    "numpy": ("testing", "linalg", "random"),
}


def _source(cell) -> str:
    """IPython magics and shell escapes are not Python: blank them for the parser."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in cell.source.splitlines())


def scan(nb) -> list[Finding]:
    """Findings in the cells a student could write: every code cell that is not a test cell."""
    cells = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or is_test(cell):
            continue
        try:
            cells.append((index, meta(cell).get("grade_id", ""), ast.parse(_source(cell))))
        except SyntaxError:
            continue  # a cell that does not parse fails when it runs, like any other wrong answer
    modules = _imports(tree for _, _, tree in cells)
    found = []
    for index, grade_id, tree in cells:
        scanner = _Scanner(modules)
        scanner.visit(tree)
        found += [Finding(index + 1, line, what, grade_id) for line, what in scanner.found]
    return found


# ---------------------------------------------------------------------------------------------
# the guard cells, run in the kernel by the box's client (nnbook_grader/kernel_guard.py)

# module aliases the set-up cells bind and the test cells use
ALIASES = frozenset({"np", "numpy", "torch", "nn", "sp", "sympy", "math", "nnbook", "keras", "tf"})
GUARDED_CLASSES = (
    ("numpy", "ndarray"),
    ("torch", "Tensor"),
    ("sympy", "Basic"),
    ("sympy", "Expr"),
    ("sympy", "Symbol"),
    ("nnbook.checks", "GradingError"),
)
# (module, the functions to keep: None for all); of PyTorch only what comparisons use, since PyTorch
# replaces some of its own functions lazily (torch.manual_seed, torch.Storage)
GUARDED_MODULES = (
    ("builtins", None),
    ("math", None),
    ("operator", None),
    ("numpy", None),
    ("numpy.testing", None),
    ("sympy", None),
    (
        "torch",
        (
            "allclose",
            "isclose",
            "equal",
            "all",
            "any",
            "abs",
            "max",
            "min",
            "sum",
            "mean",
            "isfinite",
            "as_tensor",
            "tensor",
            "is_tensor",
            "from_numpy",
            "eq",
            "ne",
            "lt",
            "le",
            "gt",
            "ge",
            "sub",
        ),
    ),
    ("nnbook", None),
    ("nnbook.checks", None),
    ("nnbook.probes", None),
    ("nnbook.tensors", None),
)


class Guard:
    """The guard of one notebook run: the code of its cells, and what its reports say."""

    def __init__(self):
        self.tag = f"@@nnbook-guard-{secrets.token_hex(12)}@@"
        self.key = f"_nnbook_guard_{secrets.token_hex(8)}"
        self.findings: list[str] = []

    def start(self) -> str:
        from pathlib import Path

        source = (Path(__file__).with_name("kernel_guard.py")).read_text()
        hooks = list(COMPARISONS + HOOKS)
        call = (self.tag, self.key, list(GUARDED_MODULES), list(GUARDED_CLASSES), sorted(GRADER_NAMES | ALIASES), hooks)
        return f"{source}\ninstall(*{call!r})\ndel install\n"

    def _handle(self) -> str:
        return f"getattr(__import__('builtins'), {self.key!r})"

    def remember(self, source: str, test: bool) -> str:
        # a given cell's checks and module aliases; a test cell's helpers too (an answer cell may rebind
        # what a given cell imported: chapter 4's answers extend the framework's classes)
        names = [n for n in bound_names(source, functions=test) if test or n in GRADER_NAMES | ALIASES]
        return f"{self._handle()}.remember(globals(), {names!r})\n" if names else ""

    def before_test(self, source: str) -> str:
        return f"{self._handle()}.before_test(globals(), {used_names(source)!r})\n"

    def end(self) -> str:
        return f"{self._handle()}.end()\n"

    def read(self, outputs, kind: str, where: str) -> None:
        """Record the findings in a guard cell's `outputs` (a missing report is a finding)."""
        report = read_report(outputs, self.tag)
        if report is None or report.get("guard") != kind:
            errors = [
                f"{o.get('ename')}: {o.get('evalue', '')[:120]}" for o in outputs if o.get("output_type") == "error"
            ]
            self.findings.append(f"{where}: the grader's guard did not run ({'; '.join(errors) or 'no report'})")
        elif report.get("restored"):
            self.findings.append(f"{where}: changed {', '.join(report['restored'][:8])} (put back for the test)")
        if report and report.get("rebound"):
            self.findings.append(f"{where}: rebound {', '.join(report['rebound'])}, which the test uses (put back)")
        if report and report.get("changed"):
            self.findings.append(f"{where}: {', '.join(report['changed'][:8])} changed by the notebook")


def bound_names(source: str, functions: bool) -> list[str]:
    """Names a cell binds at its top level by imports, and with `functions` by `def` and `class`."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    out = set()
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"}
        elif functions and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(node.name)
    return sorted(out)


def used_names(source: str) -> list[str]:
    """Names a test cell reads (that it may find rebound by the cells before it)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)})


def read_report(outputs, tag: str) -> dict | None:
    """The guard's report in a guard cell's outputs, or None when it did not report."""
    for out in outputs:
        text = out.get("text", "") if out.get("output_type") == "stream" else ""
        for line in text.splitlines():
            if line.startswith(tag):
                try:
                    return json.loads(line[len(tag) :])
                except ValueError:
                    return None
    return None

"""The guard that the box's client runs inside a grading kernel (its source is sent as a cell; this
module is never imported by a kernel, which cannot see nnbook_grader).

`install` runs before the first cell of the notebook. It records the originals: every function of the
protected modules (the checks and what they compute with: NumPy, PyTorch, sympy, math, the builtins)
and the attributes of the classes whose comparisons the checks rely on, and keeps them in a closure
stored under a name drawn per run. The client then calls, through that name,

* ``remember(ns, names)`` after each trusted cell (the given cells, the test cells): the bindings of
  `names` that cell made (a test cell's helpers, the set-up cell's checks and module aliases);
* ``before_test(ns, used)`` before each test cell: puts back every changed module or class attribute
  and every remembered name the test cell uses, and reports what it put back;
* ``end()`` after the last cell: what still differs from the originals.

Every report is one line that starts with the run's tag, which the submission cannot know.
"""

# what the kernel itself replaces at every execution (ipykernel's input and exception hooks)
KERNEL_OWN = ("builtins.input", "builtins.raw_input", "builtins.getpass", "sys.excepthook", "sys.displayhook")


def install(tag, key, modules, classes, names, hooks):  # pragma: no cover (runs in the kernel)
    import builtins
    import importlib
    import json
    import types

    loaded, originals = {}, {}
    for name, attrs in modules:
        try:
            loaded[name] = module = importlib.import_module(name)
        except Exception:  # noqa: BLE001, S112 (a framework that is not installed is not protected)
            continue
        for attr, value in list(vars(module).items()):
            wanted = attrs is None or attr in attrs
            if wanted and callable(value) and not attr.startswith("__") and f"{name}.{attr}" not in KERNEL_OWN:
                originals[(name, attr)] = value
    kept = {id(v) for v in originals.values()} | {id(m) for m in loaded.values()}
    saved = []
    for name, attr in classes:
        owner = getattr(loaded.get(name), attr, None)
        if isinstance(owner, type):
            saved.append((f"{name}.{attr}", owner, dict(vars(owner))))
    trusted = {}
    # the guard's own tools, taken now: later cells may rebind the builtins
    print_, dumps, getattr_, setattr_, sorted_, id_ = (
        builtins.print,
        json.dumps,
        builtins.getattr,
        builtins.setattr,
        builtins.sorted,
        builtins.id,
    )
    set_type_attr = type.__setattr__
    missing = object()

    def changed():
        out = [f"{n}.{a}" for (n, a), v in originals.items() if getattr_(loaded[n], a, missing) is not v]
        for label, owner, before in saved:
            now = vars(owner)
            keys = set(before) | (set(now) & set(hooks))  # what it had, and comparisons it did not have
            out += [f"{label}.{k}" for k in keys if now.get(k, missing) is not before.get(k, missing)]
        return sorted_(out)

    def restore():
        fixed = changed()
        for (name, attr), value in originals.items():
            if getattr_(loaded[name], attr, missing) is not value:
                setattr_(loaded[name], attr, value)
        for _, owner, before in saved:
            for attr in set(before) | (set(vars(owner)) & set(hooks)):
                if vars(owner).get(attr, missing) is not before.get(attr, missing):
                    try:
                        if attr in before:
                            set_type_attr(owner, attr, before[attr])
                        else:
                            type.__delattr__(owner, attr)
                    except (TypeError, AttributeError):
                        pass
        return fixed

    def remember(ns, bound):
        for name in bound:
            if name in ns and (name not in names or id_(ns[name]) in kept):
                trusted[name] = ns[name]

    def before_test(ns, used):
        restored = restore()
        rebound = []
        for name in used:
            if name in trusted and ns.get(name, missing) is not trusted[name]:
                ns[name] = trusted[name]
                rebound.append(name)
        report("test", restored=restored, rebound=rebound)

    def end():
        report("end", changed=changed())

    def report(kind, **data):
        print_(tag + dumps({"guard": kind, **data}))

    setattr_(builtins, key, types.SimpleNamespace(remember=remember, before_test=before_test, end=end))
    report("start", protected=len(originals))

"""Plausible wrong answers for chapter 2: every test cell must reject them (tests/test_pipeline.py)."""

WRONG = {
    # the exponent not lowered: d(u^k)/du taken as k u^k
    "ch02-grad-u-sym": """grad_u = g * k * u**k * h
grad_u""",
    # the chain rule stops early: the error signal g is forgotten
    "ch02-grad-u-numpy": """def grad_diag(u, h, g, k):
    u, h = np.asarray(u, dtype=float), np.asarray(h, dtype=float)
    return k * u ** (k - 1) * h""",
    # the two matrices mixed up: the contracting one taken to explode and the other to vanish
    "ch02-limits": """def gradient_limits(diag):
    return [0 if v > 1 else sp.oo for v in diag]


limits_U1 = gradient_limits(U1)
limits_U2 = gradient_limits(U2)
limits_U1, limits_U2""",
    # each array clipped by its own norm instead of the global norm
    "ch02-clip": """def clip_by_global_norm(grads, max_norm):
    grads = [np.asarray(g_, dtype=float) for g_ in grads]
    total = float(np.sqrt(sum(np.sum(g_ ** 2) for g_ in grads)))
    return [g_ * min(1.0, max_norm / max(np.linalg.norm(g_), 1e-12)) for g_ in grads], total""",
    # the derivative of tanh, not of the logistic sigmoid
    "ch02-lstm-step1": """def dyphi_dnet(net_phi):
    return 1 - sigmoid(net_phi) ** 2""",
    # the input gate instead of the previous state
    "ch02-lstm-step2": """def ds_dyphi(D):
    net_phi, y_phi, y_in, s_prev, g_cell, zeta = lstm_symbols(D)
    return [y_in for c in range(D)]""",
    # the cell errors summed without the states they multiply
    "ch02-lstm-step3": """def dE_dyphi(D):
    net_phi, y_phi, y_in, s_prev, g_cell, zeta = lstm_symbols(D)
    return sum(zeta)""",
    # the gate's output left in: y_phi (1 - y_phi) instead of the derivative at net_phi
    "ch02-lstm-step4": """def delta_phi(D):
    net_phi, y_phi, y_in, s_prev, g_cell, zeta = lstm_symbols(D)
    return y_phi * (1 - y_phi) * sum(z * s for z, s in zip(zeta, s_prev))""",
    # the factor (1 - y) of the sigmoid derivative forgotten
    "ch02-lstm-numeric": """def forget_gate_delta(net_phi, zeta, s_prev):
    y = 1.0 / (1.0 + np.exp(-net_phi))
    return float(y * np.dot(zeta, s_prev))""",
}

WRONG_VARIANTS = [
    # answers tuned to what the visible tests use: k = 3, the symbol net_phi, D = 1 and 3, the sheet's matrices;
    # and a term that vanishes on a grid of tenths (a coarse numeric comparison would accept it)
    {
        "ch02-grad-u-sym": """grad_u = 3 * g * u**2 * h
grad_u""",
        "ch02-lstm-step1": """def dyphi_dnet(net_phi):
    x = sp.Symbol("net_phi", real=True)
    return sigmoid(x) * (1 - sigmoid(x))""",
        "ch02-lstm-step2": """def ds_dyphi(D):
    net_phi, y_phi, y_in, s_prev, g_cell, zeta = lstm_symbols(3)
    return list(s_prev[:D]) if D <= 3 else [y_in] * D""",
        "ch02-lstm-step3": """def dE_dyphi(D):
    net_phi, y_phi, y_in, s_prev, g_cell, zeta = lstm_symbols(D)
    return sum(z * s for z, s in zip(zeta, s_prev)) + sp.sin(10 * sp.pi * zeta[0]) / 1000""",
        # the sheet's two matrices answered by a lookup, right for U1 and U2 and for nothing else
        # (the visible test states no limit; the hidden one asks for other diagonals)
        "ch02-limits": """def gradient_limits(diag):
    return [sp.oo if v in (1.2, 2.0, 1.1) else 0 for v in diag]


limits_U1 = gradient_limits(U1)
limits_U2 = gradient_limits(U2)""",
        # the test's autograd oracle called instead of the chain rule
        "ch02-grad-u-numpy": """def grad_diag(u, h, g, k):
    return autograd_diag(np.asarray(u, dtype=float), np.asarray(h, dtype=float), np.asarray(g, dtype=float), k)""",
        # clipping only global norms above 1 (a surviving mutant): gradients with norms in (max_norm, 1) pass
        "ch02-clip": """def clip_by_global_norm(grads, max_norm):
    grads = [np.asarray(g_, dtype=float) for g_ in grads]
    total = float(np.sqrt(sum(np.sum(g_ ** 2) for g_ in grads)))
    scale = min(1.0, max_norm / total) if total > 1 else 1.0
    return [g_ * scale for g_ in grads], total""",
        "_lose": [
            "ch02-clip-hidden",
            "ch02-grad-u-sym-hidden",
            "ch02-lstm-step1-hidden",
            "ch02-lstm-step2-hidden",
            "ch02-lstm-step3-test",
            "ch02-lstm-step3-hidden",
            "ch02-limits-hidden",
            "ch02-grad-u-numpy-hidden",
        ],
    },
]

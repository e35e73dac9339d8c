"""Correct answers for chapter 2 written differently from the model answer: they must get full marks."""

RIGHT = {
    # the derivative written out by hand, factors in another order
    "ch02-grad-u-sym": """grad_u = k * g * h * u**(k - 1)
grad_u""",
    # a loop over the entries, returning a list of floats
    "ch02-grad-u-numpy": """def grad_diag(u, h, g, k):
    out = []
    for u_i, h_i, g_i in zip(u, h, g):
        out.append(float(g_i) * k * float(u_i) ** (k - 1) * float(h_i))
    return out""",
    # exact rationals from the decimal strings, the limits as floats in an array, a tuple and a list
    "ch02-limits": """def gradient_limits(diag):
    out = []
    for v in diag:
        exact = sp.Rational(str(v))
        out.append(float(sp.limit(k * exact ** (k - 1), k, sp.oo)))
    return np.array(out)


limits_U1 = tuple(gradient_limits(U1))
limits_U2 = list(gradient_limits(U2))""",
    # clipping in place, and the norm as a NumPy scalar in a tuple
    "ch02-clip": """def clip_by_global_norm(grads, max_norm):
    total = np.sqrt(sum(float((g_ * g_).sum()) for g_ in grads))
    if total > max_norm:
        for g_ in grads:
            g_ *= max_norm / total
    return grads, np.float64(total)""",
    # e^-x / (1 + e^-x)^2, the same function in another form
    "ch02-lstm-step1": """def dyphi_dnet(net_phi):
    return sp.exp(-net_phi) / (1 + sp.exp(-net_phi)) ** 2""",
    # symbols made afresh, without the notebook's real=True assumption
    "ch02-lstm-step2": """def ds_dyphi(D):
    return tuple(sp.Symbol(f"s_prev_{c}") for c in range(1, D + 1))""",
    "ch02-lstm-step3": """def dE_dyphi(D):
    return sp.Add(*[sp.Symbol(f"zeta_{c}") * sp.Symbol(f"s_prev_{c}") for c in range(1, D + 1)])""",
    "ch02-lstm-step4": """def delta_phi(D):
    net_phi, y_phi, y_in, s_prev, g_cell, zeta = lstm_symbols(D)
    e = sp.exp(-net_phi)
    return sum(z * s for z, s in zip(zeta, s_prev)) * e / (1 + e) ** 2""",
    # math instead of NumPy for the gate, the result as a one-element array
    "ch02-lstm-numeric": """import math


def forget_gate_delta(net_phi, zeta, s_prev):
    y = 1.0 / (1.0 + math.exp(-net_phi))
    total = 0.0
    for z, s in zip(zeta, s_prev):
        total += z * s
    return np.array([y * (1.0 - y) * total])""",
}

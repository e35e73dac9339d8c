"""Correct answers for chapter 9 written differently from the model answer: they must get full marks."""

RIGHT = {
    # torch throughout, a list instead of a tuple, sd from the variance
    "ch09-error": """def closed_loop_error(outputs, targets, n_teacher=15):
    as64 = lambda a: torch.as_tensor(np.asarray(a.detach().cpu() if torch.is_tensor(a) else a), dtype=torch.float64)
    y, u = as64(outputs), as64(targets)
    d2 = (y - u)[:, n_teacher:] ** 2
    e = d2.flatten(2).mean(-1).mean(-1)
    return [e.mean().item(), torch.sqrt(((e - e.mean()) ** 2).mean()).item(), d2.mean(dim=(0, 2, 3)).numpy()]""",
    # outputs written into a preallocated list, input chosen with a conditional expression
    "ch09-rollout": """def rollout(model, inputs, n_teacher):
    steps = inputs.shape[1]
    ys = [None] * steps
    state = None
    for t in range(steps):
        ys[t], state = model.step(inputs[:, t] if t < n_teacher else ys[t - 1], state)
    return torch.stack(ys, 1)""",
    # an unfold-free version with torch.zeros and slice assignment per offset
    "ch09-lateral": """def lateral_exchange(lateral):
    b, l, h, w = lateral.shape
    parts = []
    for di, dj in waves.OFFSETS:
        part = torch.zeros_like(lateral)
        rows_to, rows_from = slice(max(0, -di), h - max(0, di)), slice(max(0, di), h - max(0, -di))
        cols_to, cols_from = slice(max(0, -dj), w - max(0, dj)), slice(max(0, dj), w - max(0, -dj))
        part[:, :, rows_to, cols_to] = lateral[:, :, rows_from, cols_from]
        parts.append(part)
    return torch.cat(parts, 1)""",
    # rows ordered (H, W, B) instead of (B, H, W), state as a dict
    "ch09-distana": """class Distana(nn.Module):
    def __init__(self, pk, lateral_size):
        super().__init__()
        self.kernel = pk
        self.L = lateral_size

    def step(self, x, state=None):
        b, h, w = x.shape
        state = state or {"lat": torch.zeros(b, self.L, h, w, dtype=x.dtype, device=x.device), "pk": None}
        inp = torch.cat([x.unsqueeze(1), lateral_exchange(state["lat"])], 1)
        rows = inp.permute(2, 3, 0, 1).reshape(h * w * b, -1)
        out, pk_state = self.kernel(rows, state["pk"])
        out = out.reshape(h, w, b, -1).permute(2, 3, 0, 1)
        return out[:, 0], {"lat": out[:, 1:], "pk": pk_state}""",
    # a GRU cell as the memory, no pre-layer tanh but two post layers, the read-out initialised at zero
    # (the exercise does not ask for a random initialisation)
    "ch09-pk": """class WavePK(nn.Module):
    def __init__(self, lateral_size=1, bias=True):
        super().__init__()
        self.cell = nn.GRUCell(1 + 8 * lateral_size, 24, bias=bias)
        self.out = nn.Sequential(nn.Linear(24, 24, bias=bias), nn.Tanh(), nn.Linear(24, 1 + lateral_size, bias=bias))
        for p in self.out[-1].parameters():
            nn.init.zeros_(p)

    def forward(self, inp, state=None):
        h = self.cell(inp, state)
        return self.out(h), h""",
}

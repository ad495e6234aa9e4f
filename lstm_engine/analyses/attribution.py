"""Which earlier characters made the model predict this one? Input-gradient attribution.

Notation: T characters read, V vocabulary, H units; x_s (V,) the one-hot input at step s;
p_t (V,) the next-character distribution after reading x_0..x_t; y_t the character it is
scored on (the text's next character; at the last step, where there is none, the model's own
top choice).

    A[t, s] = ‖∂ log p_t(y_t) / ∂x_s‖        for s ≤ t (0 for s > t: a left-to-right model
                                             cannot see the future)

The gradient with respect to the one-hot row x_s is the input-projection path: x_s enters
only through x_s W_x (layer 0), so ∂/∂x_s = ∂/∂(x_s W_x) · W_xᵀ, a (V,) vector whose norm says
how strongly a change of character s would move the log-probability of y_t.

Exact backprop through time. All prediction steps are computed in ONE backward sweep: the
rows of the batch are the prediction steps, and at step s only the rows with t ≥ s are live
(a triangular wavefront that walks down all layers at each step), so a row costs what one
backward pass over its prefix costs, in a single batched loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.cells import gru_step_backward, lstm_step_backward, rnn_step_backward
from ..core.model import Model
from ..core.sequence import softmax


@dataclass
class Attribution:
    """Input-gradient attribution of some prediction steps.

    steps: (n,) the prediction steps t, ascending (row r predicts after reading x_0..x_steps[r]);
    targets: (n,) the ids y_t scored; log_p: (n,) log p_t(y_t) (nats);
    norms: (n, T) ‖∂ log p_t(y_t) / ∂x_s‖ for every step s (0 for s > t).
    """

    steps: np.ndarray
    targets: np.ndarray
    log_p: np.ndarray
    norms: np.ndarray


def scored_targets(ids: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """(T,) the character each prediction is scored on: ids[t+1], and at the last step the
    model's top choice. ids: (T,); scores: (T, V) probabilities or logits."""
    ids = np.asarray(ids)
    if len(ids) == 0:
        return ids.copy()
    return np.append(ids[1:], np.argmax(scores[-1]))


def _step_backward(kind: str, dh: np.ndarray, dc: np.ndarray | None, cache, Wh: np.ndarray):
    """One cell's step backward for (n, H) upstream rows against a one-row (1, H) cache, which
    broadcasts. Returns (da (n, G*H), dh_prev (n, H), dc_prev (n, H) or None)."""
    if kind == "lstm":
        da, dh_prev, dc_prev, _ = lstm_step_backward(dh, dc, cache, Wh)
        return da, dh_prev, dc_prev
    backward = gru_step_backward if kind == "gru" else rnn_step_backward
    da, dh_prev = backward(dh, cache, Wh)
    return da, dh_prev, None


def attribution(model: Model, ids: np.ndarray, steps=None, targets=None) -> Attribution:
    """‖∂ log p_t(y_t) / ∂x_s‖ for the prediction steps `steps` (default: all T) and every s.

    model: a left-to-right model (any kind, any number of layers); ids: (T,) token ids;
    steps: prediction steps t in [0, T) (any order, duplicates dropped); targets: (T,) the id
    scored at every step (default `scored_targets`). One batched backward sweep, in the
    model's dtype.
    """
    ids = np.asarray(ids, dtype=np.int64)
    T = len(ids)
    rows = np.arange(T) if steps is None else np.unique(np.asarray(steps, dtype=np.int64))
    if rows.size and (rows[0] < 0 or rows[-1] >= T):
        raise ValueError(f"prediction steps must lie in [0, {T})")
    dtype = model.dtype
    n, H, L = rows.size, model.hidden_size, model.num_layers
    if T == 0 or n == 0:
        empty = np.zeros(0, dtype=dtype)
        return Attribution(rows, rows.copy(), empty, np.zeros((n, T), dtype=dtype))
    logits, caches, _ = model.forward(ids[None, :])
    probs = softmax(logits[0, rows])  # (n, V)
    y = np.asarray(scored_targets(ids, logits[0]) if targets is None else targets)[rows]
    log_p = np.log(np.maximum(probs[np.arange(n), y], np.finfo(dtype).tiny))
    dlogits = -probs  # ∂ log softmax(z)[y] / ∂z = e_y − p
    dlogits[np.arange(n), y] += 1.0
    dh_seed = dlogits @ model.head["W_hq"].T  # (n, H): ∂ log p_t / ∂h_t of the top layer
    carry_h = [np.zeros((n, H), dtype=dtype) for _ in range(L)]
    carry_c = [np.zeros((n, H), dtype=dtype) if model.kind == "lstm" else None for _ in range(L)]
    norms = np.zeros((n, T), dtype=dtype)
    for s in range(rows[-1], -1, -1):
        j = int(np.searchsorted(rows, s))  # rows j.. are live: their t ≥ s
        above = np.zeros((n - j, H), dtype=dtype)
        if rows[j] == s:
            above[0] = dh_seed[j]  # the prediction at step s starts here
        for k in range(L - 1, -1, -1):
            p = model.layers[k]
            dc = carry_c[k][j:] if carry_c[k] is not None else None
            da, dh_prev, dc_prev = _step_backward(
                model.kind, carry_h[k][j:] + above, dc, caches[k].steps[s], p["Wh"]
            )
            carry_h[k][j:] = dh_prev
            if dc_prev is not None:
                carry_c[k][j:] = dc_prev
            above = da @ p["Wx"].T  # to the layer below; at layer 0: ∂/∂x_s, (n - j, V)
        norms[j:, s] = np.linalg.norm(above, axis=1)
    return Attribution(rows, y, log_p, norms)

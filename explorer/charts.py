"""Pure Plotly figure builders: arrays in, `go.Figure` out, never a `st.*` call.

Tests check each figure's data against the engine's arrays, so builders put the exact
arrays they are given into the traces (no rescaling behind the reader's back).
"""

from __future__ import annotations

import plotly.graph_objects as go  # noqa: F401

# --- gates and one-step charts
# --- end gates and one-step charts

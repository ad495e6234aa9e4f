"""What the pages show, computed: one module per view.

- `step`: one cell update split into every term of every equation, and the tiny cell.
- `unit_stats`: reading a whole trace: unit ordering, activity, surprise, saturation, unit finder.
- `memory`: gradient through time and state divergence (RNN vs LSTM memory).
- `edits`: the "what if" view: state differences between an original and an edited text.
"""

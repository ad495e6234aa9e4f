"""UI helpers with no engine maths: charts (pure Plotly builders), state, texts (en + zh)."""

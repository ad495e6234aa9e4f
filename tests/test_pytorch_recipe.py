"""docs/pytorch.md runs as written: its export recipe, with torch and the safetensors package,
gives a file that load_safetensors opens as a model computing exactly what the torch net does."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

DOC = Path(__file__).resolve().parents[1] / "docs" / "pytorch.md"


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_the_recipe_exports_a_file_that_opens_exactly(tmp_path, monkeypatch):
    torch = pytest.importorskip("torch")
    pytest.importorskip("safetensors")
    monkeypatch.chdir(tmp_path)
    export, open_ = _blocks()
    ns: dict = {}
    torch.manual_seed(0)
    exec(compile(export, str(DOC), "exec"), ns)  # the doc's own code, unchanged
    exec(compile(open_, str(DOC), "exec"), ns)
    model, net = ns["model"], ns["net"]
    assert model.bidirectional and model.vocab.chars == tuple(ns["chars"])
    text = ns["text"][:40]
    ids = torch.as_tensor(model.encode(text).ids)[None]
    with torch.no_grad():
        onehot = torch.nn.functional.one_hot(ids, len(ns["chars"])).float()
        h = net.rnn(onehot)[0][0].double().numpy()
        probs = torch.softmax(net(ids)[0], -1).double().numpy()
    trace = model.run(text)
    assert trace.h.shape == h.shape  # (T, 2H)
    # the file holds float32 weights; the converter computes in float64
    assert np.allclose(trace.h, h, rtol=0, atol=1e-5) and np.allclose(trace.probs, probs, rtol=0, atol=1e-5)

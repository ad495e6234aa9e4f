"""The "Read both ways" lesson: its facts are the engine's numbers for its sentence and blank."""

import numpy as np
import pytest

from explorer.lessons import LESSONS, both_ways
from explorer.state import BOTH_WAYS, MODELS_DIR
from lstm_engine import load_model
from lstm_engine.analyses.attribution import blank_attribution, reach

pytestmark = pytest.mark.skipif(
    not all((MODELS_DIR / f).exists() for f in BOTH_WAYS.values()), reason="both-ways models missing"
)


def test_facts_and_truths_are_the_engines():
    both, left = (load_model(MODELS_DIR / BOTH_WAYS[r]) for r in ("both", "left"))
    f = both_ways.facts()
    t, text = both_ways.BLANK, both_ways.SENTENCE
    probs = both.blank_probs(text)
    y = probs.ids[t]
    for side in ("forward", "backward", "both"):
        assert f[f"p_{side}"] == pytest.approx(float(getattr(probs, side)[t, y]), rel=1e-6)
        assert f["top"][side] == both.top_k(getattr(probs, side)[t], both_ways.TOP_K)
    assert f["p_left_only"] == pytest.approx(float(left.blank_probs(text).forward[t, y]), rel=1e-6)
    norms = blank_attribution(both, probs.ids, t).norms[0]
    np.testing.assert_allclose(f["norms"], norms, rtol=1e-6)
    r = reach(norms, t)
    assert (f["left_share"], f["right_share"]) == pytest.approx((r.left, r.right))
    lesson = next(les for les in LESSONS if les.id == "both_ways")
    which, together = lesson.steps[0], lesson.steps[1]
    assert which.truth(f) == ("left" if f["p_forward"] > f["p_backward"] else "right")
    assert together.truth(f) == f["p_both"]

"""The lessons: every text key in both languages, no number typed into a lesson's text, and
an AppTest walk through every step of every lesson in both languages that predicts, checks
that nothing is revealed before the prediction and that the revealed numbers are the engine's."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import numpy as np
import pytest
from pagetest import figures
from streamlit.testing.v1 import AppTest
from threadpoolctl import threadpool_limits

from explorer.lessons import LESSONS, boss, by_hand, quotes
from explorer.lessons.framework import (
    Chart,
    Choice,
    Knob,
    Link,
    Number,
    Slider,
    Text,
    Word,
    is_right,
    text_keys,
)
from explorer.state import MODELS_DIR
from explorer.texts import LANGS, strings
from lstm_engine import load_model
from lstm_engine.analyses import step as cell_maths
from lstm_engine.analyses import unit_stats

APP = str(Path(__file__).resolve().parents[1] / "app.py")
pytestmark = pytest.mark.skipif(not (MODELS_DIR / "lstm.npz").exists(), reason="shipped models missing")


@pytest.fixture(scope="module", autouse=True)
def one_blas_thread():
    """As app.py does: the engine's small matmuls are slower with BLAS threads on a shared machine."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


@pytest.fixture(scope="module")
def engine():
    """Every lesson's facts, with each step's extra facts merged in, computed here once."""
    out = {}
    for lesson in LESSONS:
        facts = lesson.facts()
        for s in lesson.steps:
            if s.compute:
                facts = {**facts, **s.compute(facts)}
        out[lesson.id] = facts
    return out


def block_keys(blocks, prefix: str) -> list[str]:
    """The text keys the blocks of a step use (Knob blocks opened at their start value)."""
    keys = []
    for b in blocks:
        if isinstance(b, Text):
            keys.append(b.key)
        elif isinstance(b, Chart):
            keys.append(b.caption)
            keys += [w.key for w in words_in((b.args, dict(b.kwargs)))]
        elif isinstance(b, Link):
            keys += [b.label, f"nav.{b.page}"]
        elif isinstance(b, Knob):
            keys.append(f"{prefix}.knob.{b.name}")
            keys += block_keys(b.blocks(b.start), prefix)
    return keys


def words_in(value) -> list[Word]:
    if isinstance(value, Word):
        return [value]
    if isinstance(value, dict):
        return [w for kv in value.items() for w in words_in(kv)]
    if isinstance(value, (list, tuple)):
        return [w for v in value for w in words_in(v)]
    return []


def all_keys(lesson, facts: dict) -> set[str]:
    keys = set(text_keys(lesson))
    for s in lesson.steps:
        prefix = lesson.key(s.name)
        keys |= set(block_keys(s.show(facts), prefix))
        if s.ask is not None:
            keys |= set(block_keys(s.reveal(facts, s.truth(facts)), prefix))
    return keys


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda les: les.id)
def test_every_text_key_of_a_lesson_exists_in_every_language(lesson, engine):
    keys = all_keys(lesson, engine[lesson.id])
    for lang in LANGS:
        missing = sorted(k for k in keys if k not in strings(lang))
        assert not missing, (lang, missing)


def test_the_key_check_can_fail():
    """A lesson step naming a key that no language has is reported by all_keys + strings."""
    fake = Text("lesson.nowhere.at_all")
    assert block_keys([fake], "lesson.x.y") == ["lesson.nowhere.at_all"]
    assert "lesson.nowhere.at_all" not in strings("en")


FORMULA = re.compile(r"−1 to 1|−1 到 1|t−1|1 − ?[^\d\s]|− 1\|")  # definitions and symbols, not figures


def stated_figures(text: str) -> list[str]:
    """Digits in a text outside its {placeholders} and fixed formula symbols."""
    literal = "".join(part for part, *_ in string.Formatter().parse(text))
    return re.findall(r"\d+(?:\.\d+)?", FORMULA.sub(" ", literal))


def test_no_lesson_text_states_a_number_typed_by_hand():
    for lang in LANGS:
        for key, text in strings(lang).items():
            if key.startswith(("lesson.", "lessons.")):
                assert not stated_figures(text), (lang, key, stated_figures(text))
    assert stated_figures("F is 0.5 here, {f:.2f} there") == ["0.5"]  # the check can fail


def test_is_right_uses_the_tolerance_and_the_option():
    assert is_right(Slider(0, 1, 0.1, 0.5, tolerance=0.1), 0.55, 0.5)
    assert not is_right(Slider(0, 1, 0.1, 0.5, tolerance=0.1), 0.7, 0.5)
    assert is_right(Number(0.01), -0.905, -0.9)
    assert is_right(Choice(("a", "b")), "a", "a") and not is_right(Choice(("a", "b")), "b", "a")


# ---------------------------------------------------------------- the facts are the engine's
@pytest.fixture(scope="module")
def lstm():
    return load_model(MODELS_DIR / "lstm.npz")


def test_quote_unit_is_the_finders_best_unit(lstm):
    f = quotes.facts()
    trace = lstm.run(quotes.SENTENCE)
    corr = unit_stats.correlations(trace.h, unit_stats.quote_signal(trace.tokens))
    assert f["unit"] == int(np.argmax(np.abs(corr)))
    assert f["abs_r"] == pytest.approx(np.abs(corr).max())


def test_by_hand_truths_are_the_engines_cell_update(lstm):
    f = by_hand.facts()
    trace = lstm.run(quotes.SENTENCE)
    t, u = f["t"], f["unit"]
    assert f["C"] == pytest.approx(float(trace.c[t, u]), abs=1e-5)
    assert f["H"] == pytest.approx(float(trace.h[t, u]), abs=1e-5)
    by_hand_c = f["F"] * f["C_prev"] + f["I"] * f["G"]  # what a learner computes from the shown numbers
    assert abs(by_hand_c - f["C"]) <= by_hand.TOLERANCE


def test_boss_twist_is_computed_from_the_cell():
    f = boss.facts()
    bd = cell_maths.boss_raise().step()
    assert f["H"] == pytest.approx(float(bd.h.mean()))
    assert f["bound"] == pytest.approx(float(np.tanh(abs(bd.c.mean()))))
    assert f["H"] < f["bound"]


# ---------------------------------------------------------------- walking every step in the app
def open_step(k: int, j: int, lang: str, **extra) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(lesson=str(k), step=str(j), lang=lang, **extra)
    at.switch_page("pages/lessons.py")
    return at.run()


def chart_count(blocks) -> int:
    return sum(isinstance(b, Chart) for b in blocks) + sum(
        chart_count(b.blocks(b.start)) for b in blocks if isinstance(b, Knob)
    )


def wrong_answer(step, truth):
    """An answer the step must call wrong."""
    if isinstance(step.ask, Choice):
        return next(o for o in step.ask.options if o != truth)
    a = step.ask
    lo, hi = (a.lo, a.hi) if isinstance(a, Slider) else (truth - 10, truth + 10)
    far = hi if truth - lo < hi - truth else lo
    return round(far / a.step) * a.step if isinstance(a, Slider) else far


def answer(at: AppTest, slot: str, step, value) -> AppTest:
    key = f"ask:{slot}"
    if isinstance(step.ask, Choice):
        at.radio(key=key).set_value(value)
    elif isinstance(step.ask, Slider):
        scale = 100.0 if step.ask.percent else 1.0
        at.slider(key=key).set_value(round(value / step.ask.step) * step.ask.step * scale)
    else:
        at.number_input(key=key).set_value(value)
    at.run()  # a browser reruns on every change: the Check button is enabled once there is an answer
    return at.button(key=f"check:{slot}").click().run()


@pytest.mark.parametrize("lang", list(LANGS))
@pytest.mark.parametrize("k", range(1, len(LESSONS) + 1), ids=lambda k: LESSONS[k - 1].id)
def test_walk_every_step_predict_then_reveal(k, lang, engine):
    lesson = LESSONS[k - 1]
    facts = full = engine[lesson.id]
    at = open_step(k, 1, lang)
    for j, step in enumerate(lesson.steps, start=1):
        assert not at.exception, (lesson.id, step.name, at.exception)
        assert at.query_params["step"] in (str(j), [str(j)])
        shown = chart_count(step.show(facts))
        assert len(at.get("plotly_chart")) == shown, "nothing but the step's own charts before answering"
        if step.ask is not None:
            slot = f"{lesson.id}/{step.name}"
            truth = step.truth(full)
            right = lang == "en"  # English answers right, Chinese wrong: both verdicts get drawn
            at = answer(at, slot, step, truth if right else wrong_answer(step, truth))
            assert not at.exception, (lesson.id, step.name, at.exception)
            verdicts = at.success if right else at.warning
            assert len(verdicts) == 1 and "{" not in verdicts[0].value
            revealed = chart_count(step.reveal(full, truth))
            assert len(at.get("plotly_chart")) == shown + revealed
        at = at.button(key="next").click().run()
    assert not at.exception
    assert any(strings(lang)["lessons.summary"] == h.value for h in at.subheader)
    marks = "".join(m.value for m in at.markdown)
    assert marks.count("✓" if lang == "en" else "✗") == len(lesson.questions)


def test_quote_lesson_reveals_the_engines_unit_and_correlation(lstm):
    f = quotes.facts()
    at = open_step(1, 2, "en")
    assert not at.get("plotly_chart")
    at = answer(at, "quotes/guess", LESSONS[0].steps[1], f["abs_r"])
    (fig,) = figures(at)
    trace = lstm.run(quotes.SENTENCE)
    corr = unit_stats.correlations(trace.h, unit_stats.quote_signal(trace.tokens))
    top = np.argsort(-np.abs(corr), kind="stable")[:5]
    np.testing.assert_allclose(np.asarray(fig.data[1].z), trace.h[:, top].T, atol=1e-6)
    assert f"unit {top[0]}" in at.success[0].value


def test_by_hand_checks_a_typed_answer_against_the_engine(lstm):
    f = by_hand.facts()
    trace = lstm.run(quotes.SENTENCE)
    engine_c = float(trace.c[f["t"], f["unit"]])
    at = open_step(2, 1, "en")
    at = answer(at, "by_hand/c", LESSONS[1].steps[0], round(engine_c, 3))
    assert at.success and f"{engine_c:.3f}" in at.success[0].value
    at.button(key="again:by_hand/c").click().run()
    at = answer(at, "by_hand/c", LESSONS[1].steps[0], round(f["slips"]["keep_only"], 3))
    assert at.warning and any("F·Cₜ₋₁ alone" in m.value for m in at.markdown)


def test_presenter_mode_hides_the_picker_and_links():
    at = open_step(1, 4, "zh", present="1")
    assert not at.exception
    assert not at.selectbox  # no lesson picker: only the presenter's controls
    at = answer(at, "quotes/brackets", LESSONS[0].steps[3], "same")
    labels = [b.label for b in at.button]
    assert not any("“" in label for label in labels)  # no links into other pages


def test_bad_url_values_give_a_message_not_a_traceback():
    at = open_step(99, 1, "en")
    assert not at.exception and at.warning
    at = open_step(1, 42, "zh")
    assert not at.exception and at.info
    assert at.query_params["step"] in (str(len(LESSONS[0].steps) + 1), [str(len(LESSONS[0].steps) + 1)])


def test_a_lesson_link_opens_the_page_with_the_lessons_sentence():
    at = open_step(1, 4, "en")
    at = answer(at, "quotes/brackets", LESSONS[0].steps[3], "same")
    link = next(b for b in at.button if "Watch the gates" in b.label)
    at = link.click().run()
    assert not at.exception
    assert at.text_input(key="gates:text").value == quotes.SENTENCE
    figure = next(
        json.loads(c.proto.spec) for c in at.get("plotly_chart") if json.loads(c.proto.spec).get("frames")
    )
    assert figure["layout"]["sliders"][0]["active"] == quotes.facts()["flip"]  # the time cursor starts there

"""The "RNN vs LSTM memory" page via AppTest: defaults, every control, hostile text, live training."""

import numpy as np
import pytest
from pagetest import ROOT, figures, finish_job, open_page
from streamlit.testing.v1 import AppTest

from explorer.state import job_pool
from explorer.texts import t
from lstm_engine import load_model
from lstm_engine.analyses import memory
from lstm_engine.training import experiments
from lstm_engine.training.experiments import train_memory_task

MODELS = ROOT / "assets" / "models"
DEFAULT = t("memory.default_text")


def line_traces(fig) -> dict:
    return {tr.name: tr for tr in fig.data if tr.mode == "lines"}


@pytest.fixture(scope="module")
def shipped():
    return {k.upper(): load_model(MODELS / f"{k}.npz") for k in ("rnn", "gru", "lstm")}


@pytest.fixture(scope="module")
def default_page():
    at = open_page("memory")
    assert not at.exception
    return at


def fresh_default_curves(shipped, text):
    models = {k.upper(): memory.fresh_model(k, shipped["LSTM"].vocab, 128, memory.DEFAULT_RADIUS, 1.0) for k in
              ("rnn", "gru", "lstm")}  # fmt: skip
    return models, memory.gradient_curves(models, text)


def test_first_view_is_fresh_weights_where_the_rnn_crosses_one_percent_first(default_page, shipped):
    assert default_page.title[0].value == "RNN vs LSTM memory"
    assert default_page.radio(key="mem_source").value == "fresh"
    grad, div = figures(default_page)[:2]
    text = memory.fit_length(DEFAULT, 201)
    models, expected = fresh_default_curves(shipped, text)
    traces = line_traces(grad)
    assert list(traces) == ["RNN", "GRU", "LSTM", "LSTM cell"]
    for c in expected:
        assert np.allclose(traces[c.label].y, c.relative)
    # the lesson the page claims: the RNN's signal falls below 1 % before the LSTM's
    below = {name: memory.fall_below(np.asarray(tr.y)) for name, tr in traces.items()}
    assert below["RNN"] is not None and below["LSTM"] is not None and below["RNN"] < below["LSTM"]
    markdown = " ".join(m.value for m in default_page.markdown)
    for c in expected:
        assert (f"{c.label}: below 1% after {c.below} steps back" in markdown) == (c.below is not None)
    # the thresholds are stated, the fresh-weights lesson quotes the models' own mean gates
    captions = " ".join(c.value for c in default_page.caption)
    assert f"below ×{memory.VANISHING_RATE:.3f} is vanishing" in captions
    assert f"above ×{memory.EXPLODING_RATE:.3f} exploding" in captions
    info = default_page.info[0].value
    assert f"{memory.mean_gate(models['LSTM'], text, 'forget'):.2f} on average" in info
    assert f"({memory.mean_gate(models['GRU'], text, 'update'):.2f} on average)" in info
    assert "`None`" not in markdown
    # the divergence chart: first character changed
    changed = memory.replace_first(text, shipped["LSTM"].vocab)
    for name, tr in line_traces(div).items():
        assert np.allclose(tr.y, memory.state_divergence(name, models[name], text, changed).dh)


def test_trained_models_are_one_click_away_and_explain_the_rate(shipped):
    at = open_page("memory")
    at.radio(key="mem_source").set_value("trained").run()
    assert not at.exception
    text = memory.fit_length(DEFAULT, 201)
    expected = memory.gradient_curves(shipped, text)
    traces = line_traces(figures(at)[0])
    for c in expected:
        assert np.allclose(traces[c.label].y, c.relative)
    lesson = memory.rate_lesson(expected)
    assert lesson is not None  # the shipped models: the LSTM crosses 1 % first yet decays slower
    info = at.info[0].value
    assert f"{lesson.early.label} falls below 1% first ({lesson.early.below} steps back" in info
    assert f"×{lesson.early.decay:.3f} per step against ×{lesson.late.decay:.3f}" in info
    assert f"{lesson.ratio:,.0f} times more" in info
    # far from the end the RNN's gradient is orders of magnitude below the LSTM's
    far = slice(120, 200)
    assert np.log10(traces["RNN"].y[far]).mean() < np.log10(traces["LSTM"].y[far]).mean() - 1


def test_a_slow_growth_is_not_called_exploding(shipped):
    """Fresh LSTM, radius 1, forget-gate bias 3 grows about ×1.03 per step: under the stated
    threshold, so the page must not call it exploding (the old page did)."""
    at = open_page("memory")
    at.select_slider(key="mem_radius").set_value(1.0)
    at.radio(key="mem_forget_bias").set_value(3.0).run()
    text = memory.fit_length(DEFAULT, 201)
    lstm = memory.fresh_model("lstm", shipped["LSTM"].vocab, 128, 1.0, 3.0)
    (h, _) = memory.gradient_curves({"LSTM": lstm}, text)
    assert 1 < h.decay < memory.EXPLODING_RATE
    lines = {ln.split(":")[0].lstrip("- "): ln for m in at.markdown for ln in m.value.splitlines()}
    assert f"×{h.decay:.3f} per step (neither vanishing nor exploding)" in lines["LSTM"]
    at.select_slider(key="mem_radius").set_value(2.0).run()  # the RNN does explode there
    lines = {ln.split(":")[0].lstrip("- "): ln for m in at.markdown for ln in m.value.splitlines()}
    assert "(exploding)" in lines["RNN"]


def test_fresh_weights_follow_radius_and_forget_bias(shipped):
    at = open_page("memory")
    at.radio(key="mem_source").set_value("trained").run()
    assert at.select_slider(key="mem_radius").disabled
    at.radio(key="mem_source").set_value("fresh").run()
    assert not at.select_slider(key="mem_radius").disabled
    at.select_slider(key="mem_radius").set_value(0.5)
    at.radio(key="mem_forget_bias").set_value(3.0)
    at.slider(key="mem_length").set_value(60).run()
    assert not at.exception
    traces = line_traces(figures(at)[0])
    text = memory.fit_length(DEFAULT, 61)
    vocab = shipped["LSTM"].vocab
    for kind in ("rnn", "gru", "lstm"):
        m = memory.fresh_model(kind, vocab, 128, 0.5, 3.0)
        curves = memory.gradient_curves({kind.upper(): m}, text)
        for c in curves:
            assert np.allclose(traces[c.label].y, c.relative)
            assert traces[c.label].x[-1] == 59
    # radius 2 explodes: the RNN curve ends above where it starts
    at.select_slider(key="mem_radius").set_value(2.0).run()
    assert line_traces(figures(at)[0])["RNN"].y[-1] > 1


def test_knobs_come_from_and_go_to_the_url():
    at = AppTest.from_file(str(ROOT / "pages" / "memory.py"), default_timeout=90)
    at.query_params.update(weights="trained", length="60", radius="1.5", lag="50", kind="rnn", steps="70")
    at.run()
    assert not at.exception
    assert at.radio(key="mem_source").value == "trained"
    assert at.slider(key="mem_length").value == 60
    assert at.select_slider(key="mem_radius").value == 1.5
    assert at.select_slider(key="mem_lag").value == 50 and at.selectbox(key="mem_kind").value == "rnn"
    assert at.number_input(key="mem_steps").value == 70
    at.slider(key="mem_length").set_value(90).run()
    assert at.query_params["length"] == ["90"] or at.query_params["length"] == "90"
    bad = AppTest.from_file(str(ROOT / "pages" / "memory.py"), default_timeout=90)
    bad.query_params.update(radius="7", weights="<b>", length="x")  # ignored: defaults instead
    bad.run()
    assert not bad.exception
    assert bad.select_slider(key="mem_radius").value == memory.DEFAULT_RADIUS
    assert bad.radio(key="mem_source").value == "fresh" and bad.slider(key="mem_length").value == 200


def test_model_picker_and_length():
    at = open_page("memory")
    at.radio(key="mem_source").set_value("trained").run()
    at.multiselect(key="mem_models").set_value(["LSTM"])
    at.slider(key="mem_length").set_value(500).run()
    traces = line_traces(figures(at)[0])
    assert list(traces) == ["LSTM", "LSTM cell"] and len(traces["LSTM"].y) == 500
    at.multiselect(key="mem_models").set_value([]).run()
    assert not at.exception
    assert at.info[0].value == t("memory.pick_a_model")


@pytest.mark.parametrize(
    "text",
    ["", "🙂 emoji 中文 \x00\x07 <script>alert(1)</script>", "a", "x" * 5000],
)
def test_hostile_and_odd_text_never_crashes(text):
    at = open_page("memory")
    at.text_input(key="mem_text").set_value(text).run()
    assert not at.exception
    if not text:
        assert at.info[0].value == t("common.empty_text")
    elif "🙂" in text:
        assert any("vocabulary" in w.value for w in at.warning)
    elif len(text) > 400:
        assert any("cut to the first 400" in c.value for c in at.caption)


def test_swap_character_control():
    at = open_page("memory")
    at.text_input(key="mem_swap").set_value("T").run()  # already the first character
    assert any(i.value == t("memory.same_char") for i in at.info)
    at.text_input(key="mem_swap").set_value("#").run()
    assert any("'#he LSTM" in x.value for x in at.text)


def test_accuracy_charts_come_from_the_results_file(tmp_path, monkeypatch):
    csv = tmp_path / "memory_results.csv"
    csv.write_text(
        "# test\ntask,kind,lag,accuracy,chance,steps,seconds,forget_bias,seed\n"
        "recall,rnn,5,1.0,0.25,10,1,1.0,0\nrecall,rnn,50,0.3,0.25,10,1,1.0,0\n"
        "recall,lstm,50,0.9,0.25,10,1,1.0,0\nadding,gru,20,0.5,0.078,10,1,1.0,0\n"
    )
    monkeypatch.setattr(experiments, "RESULTS_PATH", csv)
    at = open_page("memory")
    acc = [f for f in figures(at) if f.layout.xaxis.type == "log"]
    assert len(acc) == 2  # recall, then adding
    recall = {tr.name: tr for tr in acc[0].data}
    assert list(acc[0].layout.xaxis.tickvals) == [5, 50]
    assert list(recall["RNN"].x) == [5, 50] and list(recall["RNN"].y) == [1.0, 0.3]
    monkeypatch.setattr(experiments, "RESULTS_PATH", tmp_path / "missing.csv")
    at = open_page("memory")
    assert any("No shipped memory results" in i.value for i in at.info)
    bad = tmp_path / "bad.csv"
    bad.write_text("task,kind\nrecall,rnn\n")  # columns missing
    monkeypatch.setattr(experiments, "RESULTS_PATH", bad)
    at = open_page("memory")
    assert not at.exception and any("No shipped memory results" in i.value for i in at.info)


def test_recall_and_adding_lessons_quote_the_shipped_seeds(default_page):
    rows = experiments.load_memory_results()
    markdown = " ".join(m.value for m in default_page.markdown)
    for task in ("recall", "adding"):
        lag = max(int(r["lag"]) for r in rows if r["task"] == task)
        assert f"At lag {lag} (chance" in markdown
        for s in memory.seed_summaries(rows, task, lag):
            name = s.kind.upper() + (f" (b_f = {s.forget_bias:g})" if s.kind == "lstm" else "")
            assert f"{name} solved {s.solved} of {s.runs} seeds (best {s.best:.0%})" in markdown
    assert "attractor" in markdown and "real number" in markdown


def test_a_run_that_solves_its_task_says_so():
    at = open_page("memory")
    at.selectbox(key="mem_kind").set_value("rnn")
    at.select_slider(key="mem_lag").set_value(5)
    at.number_input(key="mem_steps").set_value(400).run()
    finish_job(at.button(key="mem_start").click().run(), "memory_job")
    job = at.session_state["memory_job"]
    res = job["result"]
    assert job["status"] == "done" and res.steps < 400  # stopped early: solved
    bar = at.get("progress")[0]
    assert bar.proto.text == t("memory.status_solved", step=res.steps) and bar.proto.value == 100
    assert any(t("memory.result", acc=res.accuracy, chance=res.chance, seconds=res.seconds, steps=res.steps)
               == m.value for m in at.success)  # fmt: skip


def test_train_it_now_runs_a_few_steps():
    at = open_page("memory")
    at.selectbox(key="mem_kind").set_value("rnn")
    at.selectbox(key="mem_task").set_value("adding")
    at.select_slider(key="mem_lag").set_value(5)
    at.selectbox(key="mem_bias").set_value(0.0)
    at.number_input(key="mem_steps").set_value(12)
    finish_job(at.button(key="mem_start").click().run(), "memory_job")
    assert not at.exception
    job = at.session_state["memory_job"]
    assert job["status"] == "done" and len(job["losses"]) == 12
    assert job["result"].kind == "rnn" and job["result"].task == "adding"
    loss = figures(at)[-1]
    assert np.allclose(loss.data[0].y, job["losses"])
    assert "squared error" in loss.layout.yaxis.title.text
    assert any("Accuracy" in m.value for m in [*at.success, *at.warning])
    # the run in the worker is exactly the in-thread one
    ref = train_memory_task("adding", "rnn", 5, steps=12, forget_bias=0.0)
    assert job["result"].losses == ref.losses == job["losses"] and job["result"].accuracy == ref.accuracy


def test_stop_ends_the_memory_run_in_its_worker():
    at = open_page("memory")
    at.number_input(key="mem_steps").set_value(3000)
    at.select_slider(key="mem_lag").set_value(100)
    at.button(key="mem_start").click().run()
    handle = at.session_state["memory_job"]["handle"]
    while not handle.progress and not handle.wait(0.05):  # until the worker has run a step
        pass
    at.button(key="mem_stop").click().run()
    finish_job(at, "memory_job")
    job = at.session_state["memory_job"]
    assert job["status"] == "stopped" and job["result"].stopped
    assert 1 <= len(job["losses"]) == job["result"].steps < 3000
    assert job_pool().running() == 0
    res = job["result"]  # the accuracy it reached is reported
    kw = {"acc": res.accuracy, "chance": res.chance, "seconds": res.seconds, "steps": res.steps}
    assert t("memory.result_stopped", **kw) in [m.value for m in [*at.success, *at.warning]]


def test_page_in_chinese():
    at = open_page("memory")
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    assert at.title[0].value == "RNN 与 LSTM 的记忆"

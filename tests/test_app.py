"""The app shell via AppTest: opens on the lessons' start screen (a link with a sentence on the
gates page), switches language and pages."""

import gc
import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from explorer.state import DEFAULT_TEXT, MODELS_DIR

APP = str(Path(__file__).resolve().parents[1] / "app.py")
HAVE_MODELS = (MODELS_DIR / "lstm.npz").exists()


def open_gates(**query) -> AppTest:
    """The app opened by a link to the gates page with the default sentence (the bare root
    opens the lessons)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(text=DEFAULT_TEXT, **query)
    return at.run()


def test_a_newcomer_lands_on_the_lessons_start_screen():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Lessons"
    assert at.button(key="start_1").proto.type == "primary"  # one obvious first click


def test_a_shared_link_with_a_sentence_still_opens_the_gates_page():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["text"] = "(ab)"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Watch the gates"
    assert at.text_input(key="gates:text").value == "(ab)"


def test_app_opens_on_the_gates_page_with_a_sentence_typed():
    at = open_gates()
    assert not at.exception
    assert at.title[0].value == "Watch the gates"
    if HAVE_MODELS:
        assert at.text_input(key="gates:text").value == DEFAULT_TEXT
        layouts = [json.loads(c.proto.spec)["layout"] for c in at.get("plotly_chart")]
        titles = [a["text"] for lay in layouts for a in lay.get("annotations", [])]  # the gates figure's rows
        assert any(t.startswith("Input gate") for t in titles) and any(
            t.startswith("Forget gate") for t in titles
        )


def test_a_full_run_freezes_the_startup_heap_once_per_process():
    """app.py hides Streamlit's, Plotly's and NumPy's objects from the collector that
    Streamlit runs after every script run (that collection was a third of the server's CPU)."""
    AppTest.from_file(APP, default_timeout=60).run()
    frozen = gc.get_freeze_count()
    assert frozen > 10_000
    AppTest.from_file(APP, default_timeout=60).run()
    assert gc.get_freeze_count() == frozen  # st.cache_resource: once, not on every run


def test_language_switch_changes_every_string():
    at = open_gates()
    at.radio(key="lang").set_value("zh").run()
    assert not at.exception
    assert at.title[0].value == "观察门控"
    assert at.text_input(key="gates:text").label == "你的句子"
    assert str(at.query_params["lang"]).strip("[]'") == "zh"
    assert at.get("plotly_chart")  # the charts are still there, titled in Chinese


def test_language_from_the_url():
    at = open_gates(lang="zh")
    assert not at.exception
    assert at.title[0].value == "观察门控"


def test_the_sentence_follows_the_user_to_the_one_step_page():
    at = open_gates()
    at.text_input(key="gates:text").input("(ab)").run()
    at.switch_page("pages/one_step.py").run()
    assert not at.exception
    assert at.title[0].value == "One step, all the numbers"
    if HAVE_MODELS:
        assert at.text_input(key="one_step:text").value == "(ab)"
        assert at.slider(key="one_step:step").value == 3

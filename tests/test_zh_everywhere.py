"""Every page in 简体中文 shows no English sentence: each text element, widget label and help,
and every chart's titles, legend names, hover templates and annotations are read back and
searched for three English words in a row, outside a short allow-list (model names, symbols,
code spans, and the English sample sentences the shipped models were trained to read)."""

from __future__ import annotations

import functools
import json
import re

import pytest
from pagetest import ROOT, decode, finish_job, set_small
from streamlit.testing.v1 import AppTest

from explorer.texts import strings

PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))
# An English word: three or more Latin letters (shorter ones are symbols: h, c, b_f, W_hh).
WORD = re.compile(r"(?<![A-Za-z_])[A-Za-z]{3,}(?![A-Za-z_])")
# code spans, template fields, tags, file paths
CODE = re.compile(r"`[^`]*`|%\{[^}]*\}|\{[^}]*\}|<[^>]*>|[\w./-]+\.(?:py|md|npz|safetensors|txt|csv)\b")
# Names and symbols that stay as they are in the Chinese UI.
NAMES = {"LSTM", "GRU", "RNN", "Adam", "SGD", "tanh", "softmax", "NaN", "inf", "npz", "txt", "csv", "CSV",
         "UTF", "PyTorch", "safetensors", "Python", "Karpathy", "Johnson", "Fei", "Plotly", "Streamlit",
         "Hochreiter", "Schmidhuber", "Debian", "fortunes", "BPTT", "exp", "log", "sigmoid", "max", "min", "sum", "argmax", "asinh"}  # fmt: skip
# Text that stays English on purpose: the English sample sentences (the shipped models read
# English), and names.
ALLOWED = {
    *(v for k, v in strings("zh").items() if "default" in k or k.endswith("_text")),
    "Karpathy, Johnson & Fei-Fei",
}


def english_in(text: str) -> list[str]:
    """The English words in `text` that the allow-lists do not cover."""
    for allowed in ALLOWED:
        text = text.replace(allowed, "")
    return [w for w in WORD.findall(CODE.sub(" ", text)) if w not in NAMES]


def figure_texts(spec: dict) -> list[str]:
    """Every string a Plotly figure shows: titles, names, hover templates, tick texts, annotations."""
    out: list[str] = []

    def walk(obj, key=""):
        if isinstance(obj, dict):
            for k, v in obj.items():
                if k not in ("frames", "uid", "meta"):  # frame names and ids are never shown
                    walk(v, k)
        elif isinstance(obj, list):
            for v in obj:
                walk(v, key)
        elif isinstance(obj, str) and key in ("text", "name", "hovertemplate", "ticktext", "title", "label"):
            out.append(obj)

    spec = decode(spec)
    for trace in spec.get("data", []):  # a trace's name shows only in a legend
        if trace.get("type") == "heatmap" or trace.get("showlegend") is False:
            trace.pop("name", None)
    walk(spec)
    return out


def shown_texts(at: AppTest) -> list[str]:
    """Every user-facing string on the page (widget values, which are the user's, excluded)."""
    out = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "warning",
        "error",
        "success",
    ):
        out += [e.value for e in at.get(kind)]
    for kind in ("text_input", "text_area", "selectbox", "multiselect", "radio", "slider", "select_slider",
                 "number_input", "checkbox", "toggle", "button", "file_uploader", "download_button"):  # fmt: skip
        for w in at.get(kind):
            out += [getattr(w.proto, "label", ""), getattr(w.proto, "help", "")]
            out += [str(o) for o in getattr(w, "options", [])]
    for chart in at.get("plotly_chart"):
        out += figure_texts(json.loads(chart.proto.spec))
    for e in at.get("progress"):
        out.append(e.proto.text)
    return [s for s in out if s]


@pytest.mark.parametrize("page", PAGES)
def test_no_english_sentence_in_the_chinese_ui(page):
    assert_chinese(zh_page(page))


def zh_page(page: str, **widgets) -> AppTest:
    """pages/PAGE.py run in Chinese, with these widget values set first (AppTest's set_value
    formats options in English, outside the session)."""
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=120)
    at.session_state["lang"] = "zh"
    for key, value in widgets.items():
        at.session_state[key] = value
    return at.run()


def assert_chinese(at: AppTest, names: tuple[str, ...] = ()) -> None:
    """No English on the page, apart from the allow-lists and these `names` (data, e.g. the
    name a model got when it was trained)."""
    assert not at.exception, [e.value for e in at.exception]
    texts = [functools.reduce(lambda s, n: s.replace(n, ""), names, s) for s in shown_texts(at)]
    found = {s[:100]: english_in(s) for s in texts}
    assert not {k: v for k, v in found.items() if v}


def test_later_views_of_memory_train_and_cells_are_chinese_too():
    assert_chinese(zh_page("memory", mem_source="trained"))  # the rate lesson
    at = set_small(AppTest.from_file(str(ROOT / "pages" / "train.py"), default_timeout=120).run(), steps=3)
    finish_job(at.button(key="train_start").click().run(), "train_job")  # progress, chart, result
    assert at.session_state["train_job"]["status"] == "done"
    at.session_state["lang"] = "zh"  # switched after the run, as the sidebar's switch does
    assert_chinese(at.run(), names=(at.session_state["train_job"]["name"],))
    assert_chinese(zh_page("cells", cells_pattern="span"))


def test_the_check_finds_english():
    assert english_in("LSTM, 1×128 units, 133k parameters") == ["units", "parameters"]
    assert english_in("模型 `print the value now` 与 LSTM，b_f = 1，%{y:.2f}") == []


@pytest.mark.parametrize("page", PAGES)
def test_the_check_reads_the_page(page):
    """The same reading of the English UI finds English on every page (the check is not blind)."""
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=120).run()
    assert sum(len(english_in(s)) for s in shown_texts(at)) > 20

"""The shipped Chinese model: it loads, knows the common characters, has learned Chinese text
(beats a unigram model on held-out records, expects "，"/"。" where verse lines end), and the
简体中文 interface opens on it and offers it after a language switch."""

from pathlib import Path

import numpy as np
import pytest
import test_page_gates as gates_page
from streamlit.testing.v1 import AppTest

from explorer.state import MODELS_DIR, SHIPPED, ZH_MODEL, ZH_TEXT, default_model, default_text
from lstm_engine import UNK, load_model
from lstm_engine.training import corpus_zh
from lstm_engine.training.train import evaluate

PAGES = Path(__file__).resolve().parents[1] / "pages"
COMMON = "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴切"
COMMON_SET = sorted(set(COMMON))


@pytest.fixture(scope="module")
def zh():
    return load_model(MODELS_DIR / SHIPPED[ZH_MODEL])


def test_the_model_loads_in_float32_and_holds_the_common_characters(zh):
    assert zh.kind == "lstm" and zh.dtype == np.float32 and zh.vocab.has_unk
    assert 2000 <= len(zh.vocab) <= 4096
    missing = [ch for ch in COMMON_SET if ch not in zh.vocab.index]
    assert len(missing) <= 0.02 * len(COMMON_SET), missing
    assert all(ch in zh.vocab.index for ch in "，。\n、：？！《》")
    assert not zh.encode(ZH_TEXT).unknown


def corpus_or_skip() -> corpus_zh.ZhCorpus:
    try:
        return corpus_zh.load_corpus()
    except corpus_zh.CorpusMissing:
        pytest.skip("fortunes-zh is not installed (sudo apt-get install fortunes-zh)")


def test_it_expects_a_mark_where_a_line_of_verse_ends(zh):
    """After the 5th character of each line of the default poem the model expects "，" or "。"
    far more than it does after the other characters."""
    poem = ZH_TEXT
    probs = zh.run(poem).probs
    marks = [zh.vocab.index[m] for m in corpus_zh.LINE_MARKS]
    mass = probs[:, marks].sum(axis=1)
    ends = corpus_zh.line_ends(5)
    inside = np.setdiff1d(np.arange(len(poem)), np.concatenate([ends, ends + 1]))
    assert mass[ends].mean() > 0.3
    assert mass[ends].mean() > 5 * mass[inside].mean()
    np.testing.assert_allclose(corpus_zh.line_end_mass(zh, [poem], 5)[0], mass[ends], rtol=1e-6)


def test_it_beats_a_unigram_model_on_a_held_out_slice(zh):
    corpus = corpus_or_skip()
    held_out = corpus_zh.join(corpus.validation)[:8000]
    val_ids = zh.encode(held_out).ids
    train_ids = zh.encode(corpus_zh.join(corpus.train)).ids
    model_bits = evaluate(zh, val_ids) / np.log(2)
    unigram_bits = corpus_zh.unigram_nats(train_ids, val_ids, len(zh.vocab)) / np.log(2)
    assert model_bits < unigram_bits - 1.5, (model_bits, unigram_bits)


def test_the_held_out_quatrains_get_their_line_ends_predicted(zh):
    corpus = corpus_or_skip()
    seven = corpus_zh.quatrains(corpus.validation, 7)
    assert len(seven) >= 5
    assert corpus_zh.line_end_mass(zh, seven, 7).mean() > 0.3


def test_the_zh_gates_page_opens_on_the_chinese_model_and_a_poem(zh):
    at = AppTest.from_file(str(PAGES / "gates.py"), default_timeout=90)
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    assert at.text_input(key="gates:text").value == ZH_TEXT == default_text("zh")
    assert at.selectbox(key="gates:model").value == ZH_MODEL == default_model("zh")
    assert not at.info  # no unknown-character notice
    trace = zh.run(ZH_TEXT)
    assert trace.unknown == [] and UNK not in trace.tokens
    units = gates_page.rows(at, "input")
    z = gates_page.decode(gates_page.heatmaps(at)["input"]["z"])
    np.testing.assert_allclose(z, trace.gates["input"][:, units].T, atol=gates_page.SENT)  # sent rounded
    assert gates_page.labels(at, "input") == list(ZH_TEXT)


def offer_app():
    import streamlit as st

    from explorer.render import sentence_and_model

    _, name, _ = sentence_and_model("gates")
    st.write(f"picked {name}")


def offer_buttons(at) -> list[str]:
    return [b.key for b in at.button]


def test_switching_language_offers_the_matching_model_without_forcing_it():
    at = AppTest.from_function(offer_app, default_timeout=60)
    at.session_state["lang"] = "en"
    at.run()
    assert at.selectbox(key="gates:model").value == "LSTM" and offer_buttons(at) == []
    at.session_state["lang"] = "zh"
    at.run()
    assert at.selectbox(key="gates:model").value == "LSTM"  # not switched by itself
    assert offer_buttons(at) == ["gates:offer_take", "gates:offer_keep"]
    assert ZH_MODEL in at.caption[0].value
    at.button(key="gates:offer_take").click().run()
    assert at.selectbox(key="gates:model").value == ZH_MODEL
    assert at.text_input(key="gates:text").value == ZH_TEXT  # the untouched default follows
    assert offer_buttons(at) == []
    at.session_state["lang"] = "en"
    at.run()
    at.button(key="gates:offer_keep").click().run()
    assert at.selectbox(key="gates:model").value == ZH_MODEL and offer_buttons(at) == []


def test_a_typed_sentence_is_kept_when_the_offer_is_taken():
    at = AppTest.from_function(offer_app, default_timeout=60)
    at.session_state["lang"] = "en"
    at.run()
    at.text_input(key="gates:text").set_value("my own words").run()
    at.session_state["lang"] = "zh"
    at.run()
    at.button(key="gates:offer_take").click().run()
    assert at.selectbox(key="gates:model").value == ZH_MODEL
    assert at.text_input(key="gates:text").value == "my own words"


def test_the_zh_cells_page_looks_for_the_line_position_in_verse(zh):
    at = AppTest.from_file(str(PAGES / "cells.py"), default_timeout=90)
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    assert at.selectbox(key="cells_model").value == ZH_MODEL
    assert at.radio(key="cells_pattern").value == "line_position"
    assert UNK not in zh.run(at.text_area(key="cells_text").value).tokens

"""The Chinese corpus reader: colour codes, records, the deterministic split, the install hint."""

import random

import numpy as np
import pytest

from lstm_engine import ModelConfig, Vocab, init_model
from lstm_engine.training import corpus_zh
from lstm_engine.training.data import split_corpus

POEM = "白日依山尽，黄河入海流。\n欲穷千里目，更上一层楼。"
FORTUNE = (
    "\x1b[32m《登鹳雀楼》\x1b[m\n\x1b[33m作者：王之涣\x1b[m\n" + POEM + "\n%\n"
    "\x1b[1;32m人生\x1b[;m若只如初见，\xa0何事秋风悲画扇。  \n\n%\n"
    "\n%\n"
    "Just an English fortune, with no Chinese in it at all.\n"
)


def fake_fortunes(tmp_path, text=FORTUNE):
    for name in corpus_zh.FILES:
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_colour_codes_are_stripped():
    assert corpus_zh.strip_colours("\x1b[1;32m春\x1b[m晓\x1b[;m\x1b[0;36m。") == "春晓。"
    assert "\x1b" not in "".join(corpus_zh.records(FORTUNE))


def test_records_are_split_on_percent_lines_and_cleaned():
    recs = corpus_zh.records(FORTUNE)
    assert recs[0] == "《登鹳雀楼》\n作者：王之涣\n" + POEM
    assert recs[1] == "人生若只如初见， 何事秋风悲画扇。"  # no-break space made plain, line end trimmed
    assert len(recs) == 3  # the empty record is dropped
    assert [corpus_zh.mostly_chinese(r) for r in recs] == [True, True, False]


def test_the_split_keeps_whole_records_and_does_not_depend_on_order():
    recs = [f"第{i}首：" + "春眠不觉晓，处处闻啼鸟。"[i % 7 :] for i in range(400)]
    split = corpus_zh.split_records(recs)
    assert set(split.train) | set(split.validation) == set(recs)
    assert not set(split.train) & set(split.validation)
    assert 0.04 < len(split.validation) / len(recs) < 0.2
    shuffled = random.Random(0).sample(recs, len(recs))
    again = corpus_zh.split_records(shuffled)
    assert set(again.validation) == set(split.validation)
    assert corpus_zh.split_records(recs) == split


def test_trainer_text_gives_back_exactly_the_split():
    split = corpus_zh.split_records([f"记录{i}。" * (i % 5 + 1) for i in range(300)])
    text, fraction = split.trainer_text()
    train_text, val_text = split_corpus(text, fraction)
    assert train_text == corpus_zh.join(split.train) + "\n\n"
    assert val_text == corpus_zh.join(split.validation)


def test_a_missing_package_says_how_to_install_it(tmp_path):
    with pytest.raises(corpus_zh.CorpusMissing, match=r"apt-get install fortunes-zh") as info:
        corpus_zh.load_corpus(tmp_path)
    assert "tang300" in str(info.value) and str(tmp_path) in str(info.value)
    assert isinstance(info.value, FileNotFoundError)


def test_load_corpus_reads_every_file_and_keeps_the_chinese_records(tmp_path):
    corpus = corpus_zh.load_corpus(fake_fortunes(tmp_path))
    kept = corpus.train + corpus.validation
    assert len(kept) == 2 * len(corpus_zh.FILES)
    assert all("English" not in r for r in kept)


def test_quatrains_are_found_with_their_line_ends():
    five = corpus_zh.quatrains(["《登鹳雀楼》\n作者：王之涣\n" + POEM, "人生若只如初见。"], width=5)
    assert five == [POEM.replace("\n", "")]
    assert corpus_zh.quatrains([POEM], width=7) == []
    ends = corpus_zh.line_ends(5)
    assert [five[0][i + 1] for i in ends] == ["，", "。", "，", "。"]


def test_line_end_mass_reads_the_models_probabilities():
    poem = POEM.replace("\n", "")
    model = init_model(ModelConfig("lstm", 8, seed=3), Vocab.from_text(poem))
    mass = corpus_zh.line_end_mass(model, [poem], width=5)
    probs = model.run(poem).probs
    marks = [model.vocab.index[m] for m in corpus_zh.LINE_MARKS]
    assert mass.shape == (1, 4)
    np.testing.assert_allclose(mass[0], probs[[4, 10, 16, 22]][:, marks].sum(axis=1))


def test_unigram_baseline_is_the_smoothed_frequency_cross_entropy():
    train_ids, val_ids = np.array([0, 0, 0, 1]), np.array([1, 0, 2])
    p = np.array([4, 2, 1]) / 7  # add-one counts over V = 3
    assert corpus_zh.unigram_nats(train_ids, val_ids, 3) == pytest.approx(-np.log(p[[0, 2]]).mean())


@pytest.mark.skipif(
    not all((corpus_zh.FORTUNES_DIR / f).is_file() for f in corpus_zh.FILES),
    reason="fortunes-zh is not installed (sudo apt-get install fortunes-zh)",
)
def test_the_real_corpus_splits_deterministically_into_clean_records():
    corpus = corpus_zh.load_corpus()
    assert corpus == corpus_zh.load_corpus()
    text, _ = corpus.trainer_text()
    assert "\x1b" not in text and "\xa0" not in text
    assert 0.05 < len(corpus.validation) / (len(corpus.train) + len(corpus.validation)) < 0.15
    assert len(corpus_zh.quatrains(corpus.validation, 7)) >= 5

"""The "Train your own" page via AppTest: training a few steps, every control, hostile uploads."""

import io
import math
import zipfile

import numpy as np
import pytest
from pagetest import ROOT, figures, finish_job, open_page, page_constant, page_job, set_small
from streamlit.testing.v1 import AppTest

from explorer import jobs
from explorer.state import job_pool
from explorer.texts import t
from lstm_engine import UNK, Model, ModelConfig, Vocab, init_model, load_model, model_to_bytes
from lstm_engine.training.train import TrainConfig, train


def test_defaults_show_the_controls_and_no_run():
    at = open_page("train")
    assert not at.exception
    assert at.title[0].value == "Train your own"
    assert at.number_input(key="train_steps").value == 200
    assert "train_job" not in at.session_state
    assert not at.get("progress")


def test_training_a_few_steps_registers_a_downloadable_model():
    at = set_small(open_page("train"), steps=4, sample_every=2)
    finish_job(at.button(key="train_start").click().run(), "train_job")
    assert not at.exception
    job = at.session_state["train_job"]
    assert job["status"] == "done" and [p.step for p in job["history"]] == [1, 2, 3, 4]
    name = job["name"]
    assert name == "My LSTM 1×16 (4 steps)"
    model = at.session_state["user_models"][name]
    assert isinstance(model, Model) and model.hidden_size == 16 and model.kind == "lstm"
    assert any(name in s.value for s in at.success)
    assert at.get("progress")[0].proto.value == 100
    best = min(p.val_loss for p in job["history"] if p.val_loss is not None)  # keep_best's weights
    note = f"best validation {best / math.log(2):.3f} bits/char, perplexity {math.exp(best):.2f}"
    assert note in at.get("progress")[0].proto.text
    # the chart holds the run's losses in bits per character
    fig = figures(at)[-1]
    assert np.allclose(fig.data[0].y, [p.loss / math.log(2) for p in job["history"]])
    assert list(fig.data[1].x) == [p.step for p in job["history"] if p.val_loss is not None]
    # a sample was generated and shown as plain text
    assert job["samples"] and at.code[0].value == job["samples"][-1][1]
    # the download is the model file
    (dl,) = at.get("download_button")
    assert dl.proto.label == "Download the model (.npz)"


def test_a_pool_job_gives_bit_identical_weights_to_the_in_thread_trainer():
    """The page trains in a worker process; for the same seed the weights and every step's loss
    must be exactly those of one train() call in this thread."""
    at = set_small(open_page("train"), steps=12, sample_every=5)
    finish_job(at.button(key="train_start").click().run(), "train_job")
    job = at.session_state["train_job"]
    fresh = init_model(ModelConfig(kind="lstm", hidden_size=16), Vocab.from_text(job["text"]))
    ref = train(fresh, job["text"], job["config"], callback=None)
    assert job["model"].fused().keys() == ref.model.fused().keys()
    for k, a in ref.model.fused().items():
        got = job["model"].fused()[k]
        assert got.dtype == a.dtype and np.array_equal(got, a), k
    assert [(p.loss, p.val_loss, p.sample) for p in job["history"]] == [
        (p.loss, p.val_loss, p.sample) for p in ref.history
    ]


@pytest.mark.parametrize(("kind", "layers", "lr", "clip"), [("gru", 2, 1e-3, 0.0), ("rnn", 1, 3e-2, 1.0)])
def test_every_control_reaches_the_trainer(kind, layers, lr, clip):
    at = set_small(open_page("train"), steps=2)
    at.selectbox(key="train_kind").set_value(kind)
    at.number_input(key="train_layers").set_value(layers)
    at.select_slider(key="train_lr").set_value(lr)
    at.number_input(key="train_clip").set_value(clip)
    finish_job(at.button(key="train_start").click().run(), "train_job")
    assert not at.exception
    job = at.session_state["train_job"]
    assert job["model"].kind == kind and job["model"].num_layers == layers
    assert job["config"].lr == lr and job["config"].clip == clip and job["config"].steps == 2
    assert job["status"] == "done"


def wait_for_steps(handle, n: int) -> None:
    """Block until a pool job has reported at least n steps (or ended)."""
    while len(handle.progress) < n and not handle.wait(0.05):
        pass


def test_stop_ends_the_run_in_the_worker_and_keeps_its_weights():
    at = set_small(open_page("train"), steps=20000)
    at.button(key="train_start").click().run()
    handle = at.session_state["train_job"]["handle"]
    wait_for_steps(handle, 3)
    at.button(key="train_stop").click().run()
    finish_job(at, "train_job")
    assert not at.exception
    job = at.session_state["train_job"]
    done = len(job["history"])
    assert job["status"] == "stopped" and 3 <= done < 20000
    assert job["name"] == f"My LSTM 1×16 ({done} steps)"
    assert job["history"][-1].step == done
    assert any(f"Stopped after {done} of 20000 steps" in p.proto.text for p in at.get("progress"))
    assert job_pool().running() == 0  # the worker is free for the next job


def test_a_queued_job_shows_how_many_trainings_are_ahead():
    """With every worker busy, a new run waits and its progress bar says its place in line."""
    pool = job_pool()
    text = "hello world, (quoted) text\n" * 40
    spec = jobs.text_spec(
        ModelConfig(kind="rnn", hidden_size=8), text, TrainConfig(steps=10**6, batch_size=4)
    )
    busy = [pool.submit(f"other-{i}", spec) for i in range(pool.size + 2)]  # all workers + 2 waiting
    zh = None
    try:
        at = set_small(open_page("train"), steps=2)
        at.button(key="train_start").click().run()
        assert at.session_state["train_job"]["status"] == "queued"
        (bar,) = at.get("progress")
        assert bar.proto.text == "Waiting for a free training process: 2 trainings ahead of yours"
        zh = AppTest.from_file(str(ROOT / "pages" / "train.py"))
        zh.session_state["lang"] = "zh"  # a second session, whose job waits behind the first one
        zh.session_state["train_job"] = page_job(pool.submit("zh-session", spec), text, TrainConfig())
        zh.run()
        assert zh.get("progress")[0].proto.text == "正在等待空闲的训练进程：你前面还有 3 个训练"
    finally:
        for job in busy:
            job.cancel()
        if zh is not None:
            zh.session_state["train_job"]["handle"].cancel()
    finish_job(at, "train_job")
    assert at.session_state["train_job"]["status"] == "done"


def test_upload_source_without_a_file_asks_for_one():
    at = open_page("train")
    at.radio(key="train_source").set_value("upload").run()
    at.button(key="train_start").click().run()
    assert at.error[0].value == "Upload a .txt file first, or choose the default text."


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("latin-1 caf\xe9 text".encode("latin-1"), "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"", "empty"),
        (b"\x01\x02\x03\x04\x05 abc" * 10, "binary"),
        (b"a" * 2_000_001, "larger than 2 MB"),
    ],
    ids=["latin-1", "png", "empty", "control-chars", "too-large"],
)
def test_bad_text_uploads_are_refused_with_a_message(content, message):
    at = open_page("train")
    at.radio(key="train_source").set_value("upload").run()
    at.file_uploader(key="train_txt").upload("corpus.txt", content, "text/plain")
    at.button(key="train_start").click().run()
    assert not at.exception
    assert "cannot be used for training" in at.error[0].value and message in at.error[0].value
    assert "train_job" not in at.session_state


def test_a_good_text_upload_trains_on_it():
    at = set_small(open_page("train"), steps=2)
    at.radio(key="train_source").set_value("upload").run()
    at.file_uploader(key="train_txt").upload("mine.txt", ("你好, world! " * 200).encode(), "text/plain")
    finish_job(at.button(key="train_start").click().run(), "train_job")
    assert not at.exception
    job = at.session_state["train_job"]
    assert job["status"] == "done" and "你" in job["model"].vocab.chars


def test_a_one_character_text_fails_cleanly():
    at = set_small(open_page("train"), steps=2)
    at.radio(key="train_source").set_value("upload").run()
    at.file_uploader(key="train_txt").upload("tiny.txt", b"a", "text/plain")
    finish_job(at.button(key="train_start").click().run(), "train_job")
    assert not at.exception
    assert at.error and "Training could not start" in at.error[0].value


def good_npz() -> bytes:
    return model_to_bytes(init_model(ModelConfig(kind="gru", hidden_size=4), Vocab(list("ab ") + [UNK])))


def pickled_npz() -> bytes:
    buf = io.BytesIO()
    np.savez(
        buf, **{"meta/format": np.array("lstm-explorer/1"), "0/W_xi": np.array([{"evil": 1}], dtype=object)}
    )
    return buf.getvalue()


def wrong_shapes_npz() -> bytes:
    data = np.load(io.BytesIO(good_npz()))
    arrays = {k: data[k] for k in data.files}
    arrays["0/W_hz"] = np.zeros((3, 5))
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def zip_not_npz() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "not an array")
    return buf.getvalue()


def test_uploading_a_model_file_registers_it():
    at = open_page("train")
    at.file_uploader(key="train_npz").upload("tiny_gru.npz", good_npz())
    at.run()
    assert not at.exception
    assert "tiny_gru" in at.session_state["user_models"]
    assert any("tiny_gru" in s.value for s in at.success)
    at.run()  # a rerun does not register it twice
    assert list(at.session_state["user_models"]) == ["tiny_gru"]
    loaded = at.session_state["user_models"]["tiny_gru"]
    assert np.allclose(loaded.params()["0/W_hz"], load_model(good_npz()).params()["0/W_hz"])


def test_an_uploaded_name_carries_no_markup():
    at = open_page("train")
    at.file_uploader(key="train_npz").upload("[x](javascript:alert(1)) <b>.npz", good_npz())
    at.run()
    (name,) = at.session_state["user_models"]
    assert name == "_x_(javascript_alert(1)) _b_"


def test_a_diverged_run_explains_itself_in_the_ui_language():
    """The trainer's reason is kept as a text key and worded when shown, so it follows the
    language switch even after the run failed."""
    at = open_page("train")
    text = "hello world, (quoted) text\n" * 40
    config = TrainConfig(steps=20, lr=1e8, clip=0, batch_size=4, seq_len=16)  # diverges at once
    handle = job_pool().submit(
        "test-diverged", jobs.text_spec(ModelConfig(kind="rnn", hidden_size=8), text, config)
    )
    at.session_state["train_job"] = page_job(handle, text, config)
    finish_job(at, "train_job")
    assert not at.exception
    end = handle.end
    assert handle.status == "diverged" and at.session_state["train_job"]["status"] == "diverged"
    assert at.error[0].value == t(
        f"error.diverged.{end['cause']}", "en", step=end["step"], value=end["value"]
    )
    assert at.error[0].value.startswith(f"Training diverged at step {end['step']}:")
    assert not at.session_state["user_models"] if "user_models" in at.session_state else True
    at.session_state["lang"] = "zh"
    at.run()
    assert at.error[0].value == t(
        f"error.diverged.{end['cause']}", "zh", step=end["step"], value=end["value"]
    )
    assert at.error[0].value.startswith(f"训练在第 {end['step']} 步发散")


HOSTILE_MODELS = pytest.mark.parametrize(
    "content",
    [pickled_npz(), wrong_shapes_npz(), zip_not_npz(), b"garbage" * 10, b""],
    ids=["pickled", "wrong-shapes", "zip-not-npz", "garbage", "empty"],
)


@HOSTILE_MODELS
def test_hostile_model_files_are_rejected_with_a_message(content):
    at = open_page("train")
    at.file_uploader(key="train_npz").upload("evil.npz", content)
    at.run()
    assert not at.exception
    assert at.error and at.error[0].value.startswith("This model file was rejected:")
    assert not at.session_state["user_models"] if "user_models" in at.session_state else True


def test_page_in_chinese():
    at = open_page("train")
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    assert at.title[0].value == "训练你自己的模型"
    assert at.button(key="train_start").label == "开始训练"


def test_pasted_text_trains_and_a_small_text_is_flagged():
    MIN_GENERALISE_CHARS = page_constant("train", "MIN_GENERALISE_CHARS")
    pasted = "the cat sat on the mat. " * 20  # 480 characters: far too small to generalise
    at = set_small(open_page("train"), steps=3)
    at.radio(key="train_source").set_value("paste").run()
    at.button(key="train_start").click().run()
    assert any(e.value == t("train.need_paste") for e in at.error)
    at.text_area(key="train_paste").set_value(pasted).run()
    small = t("train.small_text", n=len(pasted), min=MIN_GENERALISE_CHARS)
    assert [w.value for w in at.warning] == [small]
    finish_job(at.button(key="train_start").click().run(), "train_job")
    job = at.session_state["train_job"]
    assert job["text"] == pasted and job["status"] == "done"
    assert small in [w.value for w in at.warning]
    at.text_area(key="train_paste").set_value(pasted * 11).run()  # 5280 characters: no note
    assert len(pasted * 11) >= MIN_GENERALISE_CHARS and not [w for w in at.warning if w.value != small]


def test_a_learning_rate_that_diverges_explains_why():
    DIVERGES_FROM, LRS = page_constant("train", "DIVERGES_FROM"), page_constant("train", "LRS")
    assert max(LRS) >= DIVERGES_FROM
    at = set_small(open_page("train"), steps=40)
    at.select_slider(key="train_lr").set_value(max(LRS))
    finish_job(at.button(key="train_start").click().run(), "train_job")
    job = at.session_state["train_job"]
    assert job["status"] == "diverged" and job["name"] is None
    assert at.info[-1].value == t("train.diverged_why", lr=max(LRS), lower=max(LRS) / 10)


def test_settings_come_from_and_go_to_the_url():
    at = AppTest.from_file(str(ROOT / "pages" / "train.py"), default_timeout=90)
    at.query_params.update(kind="gru", hidden="64", lr="1.0", steps="500", source="paste", model="LSTM")
    at.run()
    assert not at.exception
    assert at.selectbox(key="train_kind").value == "gru" and at.select_slider(key="train_hidden").value == 64
    assert at.select_slider(key="train_lr").value == 1.0 and at.number_input(key="train_steps").value == 500
    assert at.radio(key="train_source").value == "paste"
    at.number_input(key="train_layers").set_value(2).run()
    assert str(at.query_params["layers"]).strip("[]'") == "2"
    bad = AppTest.from_file(str(ROOT / "pages" / "train.py"), default_timeout=90)
    bad.query_params.update(lr="0.77", hidden="-1", kind="<b>")
    bad.run()
    assert not bad.exception and bad.select_slider(key="train_lr").value == 5e-3
    assert (
        bad.selectbox(key="train_kind").value == "lstm" and bad.select_slider(key="train_hidden").value == 32
    )

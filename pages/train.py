"""Train your own: pick a kind and size, train on the default corpus, a .txt or pasted text, live.

The run trains in the server's pool of worker processes (explorer.jobs), not in this page's
script thread; the page keeps what it has seen of it in st.session_state and redraws the
progress in a fragment (explorer.state.show_job). Stop ends the run after its current step and
keeps the weights so far. The finished model is registered for this session only
(explorer.state.add_user_model) and offered as a .npz download.
"""

from __future__ import annotations

import math
from pathlib import Path

import streamlit as st

from explorer import jobs
from explorer.charts_memory import loss_chart
from explorer.render import error_message, job_error, show_chart
from explorer.state import (
    add_user_model,
    choice,
    job_pool,
    lang,
    queue_line,
    session_id,
    show_job,
    tr,
    url_widget,
    user_models,
    write_url,
)
from lstm_engine import ModelConfig, ModelFormatError, load_model, load_safetensors, model_to_bytes
from lstm_engine.training.data import MAX_UPLOAD_BYTES, decode_upload, default_corpus
from lstm_engine.training.train import TrainConfig, bits, perplexity

JOB = "train_job"  # session_state key of the current / last training run
NPZ_SEEN = "train_npz_seen"  # session_state key: uploaded file id -> (name, error)
KINDS = ("lstm", "gru", "rnn")
HIDDEN = (16, 32, 64, 128, 256)
LRS = (3e-4, 1e-3, 2e-3, 5e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0)
# Adam rates from this one up diverged in the measured runs (LSTM and RNN 1×32, clipping 5,
# the default text: docs/experiments.md), so a student can watch a run blow up on purpose.
DIVERGES_FROM = 1.0
# Below this many characters, validation stops improving after a few dozen to a few hundred
# steps and then gets worse while the training loss keeps falling (measured at 200 and 500
# steps: docs/experiments.md).
MIN_GENERALISE_CHARS = 5000
SOURCES = ("default", "upload", "paste")
CLIPS = tuple(float(c) for c in range(101))  # clipping thresholds a link may set (0 = off)
VAL_FRACTION = 0.05  # held-out tail of the text (small, so evaluation stays quick)
URL = {  # widget key -> URL parameter: the run's settings (never the model) shareable as a link
    "train_kind": "kind",
    "train_hidden": "hidden",
    "train_layers": "layers",
    "train_steps": "steps",
    "train_lr": "lr",
    "train_clip": "clip",
    "train_sample_every": "sample_every",
    "train_source": "source",
}


@st.cache_data(show_spinner=False, max_entries=1)
def corpus() -> str:
    """The default training text (pydoc_data.topics)."""
    return default_corpus()


def training_text(source: str, upload, pasted: str = "") -> tuple[str | None, str | None]:
    """(text, None) or (None, a message) for the chosen corpus source."""
    if source == "default":
        return corpus(), None
    if source == "paste":
        if not pasted.strip():
            return None, tr("train.need_paste")
        if len(pasted.encode("utf-8")) > MAX_UPLOAD_BYTES:
            return None, tr("train.txt_rejected", why=tr("train.too_large", mb=MAX_UPLOAD_BYTES / 1e6))
        return pasted.replace("\r\n", "\n"), None
    if upload is None:
        return None, tr("train.need_upload")
    if upload.size > MAX_UPLOAD_BYTES:
        return None, tr("train.txt_rejected", why=tr("train.too_large", mb=MAX_UPLOAD_BYTES / 1e6))
    try:
        return decode_upload(upload.getvalue()), None
    except ValueError as exc:
        return None, tr("train.txt_rejected", why=error_message(exc))


def new_job(text: str, kind: str, hidden: int, layers: int, config: TrainConfig) -> dict:
    """A training run submitted to the server's pool, and what the page has seen of it."""
    spec = jobs.text_spec(ModelConfig(kind=kind, hidden_size=hidden, num_layers=layers), text, config)
    return {
        "handle": job_pool().submit(session_id(), spec),  # the pool's Job (runs in a worker)
        "text": text,  # the training text (validation is its tail)
        "config": config,  # TrainConfig
        "model": None,  # the trained weights once the run ended
        "history": [],  # Progress of every finished step
        "samples": [],  # (step, generated text)
        "status": "queued",  # queued | running | done | stopped | diverged
        "label": f"{kind.upper()} {layers}×{hidden}",
        "name": None,  # the picker name once registered
        "error": None,  # (text key, its parameters): translated when shown
    }


def chart(job: dict):
    """The loss chart (bits/char) of a job's history."""
    hist = job["history"]
    val = [p for p in hist if p.val_loss is not None]
    return loss_chart(
        [p.step for p in hist],
        [bits(p.loss) for p in hist],
        [p.step for p in val],
        [bits(p.val_loss) for p in val],
        lang=lang(),
        unit="bits",
    )


def sync(job: dict) -> bool:
    """Copy the pool job's new steps into the page's job; True when the job ended just now."""
    handle = job["handle"]
    if job["status"] not in jobs.ACTIVE:
        return False
    status = handle.status  # read first: once it has ended, every step is in handle.progress
    new = handle.progress[len(job["history"]) :]
    job["history"] += new
    job["samples"] += [(p.step, p.sample) for p in new if p.sample]
    job["status"] = status
    if status in jobs.ACTIVE:
        return False
    end = handle.end
    job["model"] = handle.result
    if status == "diverged":
        job["error"] = (f"error.{end['code']}", end["params"])
    elif status == "failed":  # e.g. a text with fewer than two usable characters
        job["status"] = "diverged"
        job["error"] = (
            ("train.bad_text", {"why": job_error(end)}) if "error" in end else ("jobs.worker_lost", {})
        )
    finish(job)
    return True


def finish(job: dict) -> None:
    """Register a finished or stopped job's model once for this session."""
    if (
        job["status"] in ("done", "stopped")
        and job["name"] is None
        and job["history"]
        and job["model"] is not None
    ):
        steps = job["history"][-1].step
        job["name"] = add_user_model(tr("train.model_name", label=job["label"], steps=steps), job["model"])


def picker_name(filename: str) -> str:
    """A model name from an uploaded file name: letters, digits and ` -_.()` kept, others
    replaced, at most 60 characters, so names shown on every page carry no markup."""
    stem = Path(filename).stem[:60]
    return "".join(ch if ch.isalnum() or ch in " -_.()" else "_" for ch in stem).strip() or "model"


def npz_upload(upload) -> tuple[str | None, str | None]:
    """Register an uploaded model once per file: (name, None) or (None, the rejection)."""
    seen = st.session_state.setdefault(NPZ_SEEN, {})
    if upload.file_id not in seen:
        if upload.size > MAX_UPLOAD_BYTES * 10:
            seen[upload.file_id] = (None, tr("train.too_large", mb=MAX_UPLOAD_BYTES * 10 / 1e6))
            return seen[upload.file_id]
        try:
            read = load_safetensors if upload.name.lower().endswith(".safetensors") else load_model
            model = read(upload.getvalue())
            seen[upload.file_id] = (add_user_model(picker_name(upload.name), model), None)
        except ModelFormatError as exc:
            seen[upload.file_id] = (None, error_message(exc))
    return seen[upload.file_id]


st.title(tr("nav.train"))
st.markdown(tr("train.intro"))

c1, c2, c3 = st.columns(3)
kind = c1.selectbox(
    tr("train.kind"), KINDS, format_func=str.upper, key=url_widget("train_kind", "lstm", URL, choice(KINDS))
)
hidden = c1.select_slider(
    tr("train.hidden"), HIDDEN, key=url_widget("train_hidden", 32, URL, choice(HIDDEN, int))
)
layers = c1.number_input(
    tr("train.layers"), 1, 3, key=url_widget("train_layers", 1, URL, choice(range(1, 4), int))
)
steps = c2.number_input(
    tr("train.steps"),
    1,
    20000,
    step=50,
    key=url_widget("train_steps", 200, URL, choice(range(1, 20001), int)),
)
lr = c2.select_slider(
    tr("train.lr"),
    LRS,
    format_func=lambda v: f"{v:g}",
    help=tr("train.lr_help", lr=DIVERGES_FROM),
    key=url_widget("train_lr", 5e-3, URL, choice(LRS, float)),
)
clip = c2.number_input(
    tr("train.clip"),
    0.0,
    100.0,
    step=1.0,
    help=tr("train.clip_help"),
    key=url_widget("train_clip", 5.0, URL, choice(CLIPS, float)),
)
sample_every = c3.number_input(
    tr("train.sample_every"),
    0,
    20000,
    step=10,
    key=url_widget("train_sample_every", 50, URL, choice(range(20001), int)),
)
source = c3.radio(
    tr("train.corpus"),
    SOURCES,
    format_func=lambda s: tr(f"train.corpus_{s}"),
    key=url_widget("train_source", "default", URL, choice(SOURCES)),
)
upload = (
    c3.file_uploader(tr("train.upload_txt"), type=["txt"], key="train_txt") if source == "upload" else None
)
pasted = (
    st.text_area(tr("train.paste"), height=160, placeholder=tr("train.paste_hint"), key="train_paste")
    if source == "paste"
    else ""
)
write_url(URL)
if source != "default" and (upload is not None or pasted):
    chosen, _ = training_text(source, upload, pasted)
    if chosen is not None and len(chosen) < MIN_GENERALISE_CHARS:
        st.warning(tr("train.small_text", n=len(chosen), min=MIN_GENERALISE_CHARS))

b1, b2, _ = st.columns([1, 1, 4])
start = b1.button(tr("train.start"), type="primary", key="train_start")
stop = b2.button(tr("train.stop"), key="train_stop")

if start:
    text, problem = training_text(source, upload, pasted)
    if problem:
        st.error(problem)
    else:
        config = TrainConfig(
            steps=int(steps),
            batch_size=32,
            seq_len=64,
            lr=float(lr),
            clip=float(clip),
            val_fraction=VAL_FRACTION,
            eval_every=min(100, max(10, int(steps) // 10)),
            sample_every=int(sample_every),
            keep_best=True,
        )
        st.session_state[JOB] = new_job(text, kind, int(hidden), int(layers), config)


def val_note(job: dict) -> str:
    """ " · best validation … bits/char, perplexity …" of the run so far (the weights the run
    keeps, TrainConfig.keep_best), or "" before its first evaluation."""
    vals = [p.val_loss for p in job["history"] if p.val_loss is not None]
    return tr("train.val_note", bits=bits(min(vals)), ppl=perplexity(min(vals))) if vals else ""


def job_view(job: dict) -> None:
    """The run's progress bar, loss chart, sample and outcome; redrawn on its own while the run
    is active (a fragment), and the whole page reruns once when it ends."""
    if sync(job):
        st.rerun()
    st.subheader(tr("train.run_heading", label=job["label"]))
    done = job["history"][-1].step if job["history"] else 0
    total = job["config"].steps
    if job["status"] == "queued":
        st.progress(0.0, text=queue_line(job["handle"]))
    elif job["status"] == "running" and job["history"]:
        eta = job["history"][-1].eta_s  # NaN during the trainer's warm-up steps
        key = "train.progress" if math.isfinite(eta) else "train.progress_warmup"
        st.progress(done / total, text=tr(key, step=done, steps=total, eta=eta) + val_note(job))
    else:
        st.progress(
            done / total, text=tr(f"train.status_{job['status']}", step=done, steps=total) + val_note(job)
        )
    if job["history"] and show_chart(chart, job, key="train_loss") is not None:
        st.caption(tr("train.loss_caption"))
    if job["samples"]:
        step_n, sample = job["samples"][-1]
        st.code(sample, language=None, wrap_lines=True)
        st.caption(tr("train.sample_caption", step=step_n))
    if job["error"]:
        key, params = job["error"]
        st.error(tr(key, **params))
        if key.startswith("error.diverged."):
            st.info(tr("train.diverged_why", lr=job["config"].lr, lower=job["config"].lr / 10))
    if len(job["text"]) < MIN_GENERALISE_CHARS:
        st.warning(tr("train.small_text", n=len(job["text"]), min=MIN_GENERALISE_CHARS))
    if job["name"]:
        st.success(tr("train.registered", name=job["name"]))
        st.download_button(
            tr("train.download"),
            model_to_bytes(job["model"]),
            file_name=f"{job['label'].lower().replace(' ', '_').replace('×', 'x')}.npz",
            mime="application/octet-stream",
            key="train_download",
        )


job = st.session_state.get(JOB)
if job and stop:
    job["handle"].cancel()
if job:
    sync(job)
    show_job(job_view, job)

st.divider()
st.subheader(tr("train.upload_heading"))
st.markdown(tr("train.upload_intro"))
npz = st.file_uploader(tr("train.upload_npz"), type=["npz", "safetensors"], key="train_npz")
if npz is not None:
    name, why = npz_upload(npz)
    if why:
        st.error(tr("train.npz_rejected", why=why))
    else:
        st.success(tr("train.registered", name=name))
if user_models():
    st.caption(tr("train.session_models", names=", ".join(user_models())))

"""RNN vs LSTM memory: vanishing gradients, memory over lag, and how far back a change is felt.

Thin page: widgets -> lstm_engine.analyses.memory / training.experiments -> explorer.charts_memory -> render.
"""

from __future__ import annotations

import streamlit as st

from explorer import jobs
from explorer.charts_memory import (
    accuracy_chart,
    curve_name,
    divergence_chart,
    gradient_chart,
    loss_chart,
    series_name,
)
from explorer.render import error_message, job_error, show_chart
from explorer.state import (
    MAX_TEXT,
    choice,
    clip_text,
    get_model,
    job_pool,
    lang,
    model_names,
    queue_line,
    session_id,
    show_job,
    tr,
    url_widget,
    write_url,
)
from lstm_engine import Vocab
from lstm_engine.analyses import memory
from lstm_engine.training.experiments import MemoryConfig, load_memory_results

SHIPPED_KINDS = ("RNN", "GRU", "LSTM")  # picker names of the shipped models, one per kind
SOURCES = ("fresh", "trained")  # the first view: fresh weights, where the RNN's signal dies first
RADII = tuple(round(0.5 + 0.1 * i, 1) for i in range(16))  # 0.5 .. 2.0
LENGTHS = tuple(range(20, memory.MAX_LENGTH + 1, 10))
BIASES = (0.0, 1.0, 3.0)
LAGS = (5, 10, 20, 50, 100)
TASKS = ("recall", "adding")
KINDS = ("lstm", "gru", "rnn")
TASK_BIASES = (0.0, 1.0, 3.0, 5.0)
STEPS = range(10, 3001)  # training steps of a live memory-task run
MEM_JOB = "memory_job"  # session_state key of the live memory-task run (in the training pool)
URL = {  # widget key -> URL parameter: the page's knobs, shareable as a link
    "mem_text": "text",
    "mem_source": "weights",
    "mem_length": "length",
    "mem_radius": "radius",
    "mem_forget_bias": "bias",
    "mem_swap": "swap",
    "mem_task": "task",
    "mem_kind": "kind",
    "mem_lag": "lag",
    "mem_bias": "task_bias",
    "mem_steps": "steps",
}


@st.cache_data(show_spinner=False, max_entries=16)
def fresh_curves(text: str, radius: float, forget_bias: float, chars: tuple[str, ...]) -> list:
    """Gradient curves of freshly initialised RNN, GRU and LSTM (deterministic, so cached)."""
    vocab = Vocab(chars)
    models = {k: memory.fresh_model(k.lower(), vocab, 128, radius, forget_bias) for k in SHIPPED_KINDS}
    return memory.gradient_curves(models, text)


def fresh_models(radius: float, forget_bias: float, vocab: Vocab) -> dict:
    """The fresh models themselves (for the divergence chart)."""
    return {k: memory.fresh_model(k.lower(), vocab, 128, radius, forget_bias) for k in SHIPPED_KINDS}


def picked_models(names: list[str]) -> dict:
    """Picker names -> models, warning about any that cannot be loaded."""
    out = {}
    for name in names:
        model, error = get_model(name)
        if error:
            st.warning(error)
        else:
            out[name] = model
    return out


def show_unknown(model, text: str) -> None:
    """Tell the user which characters the model does not know."""
    enc = model.encode(text)
    if enc.unknown:
        chars = " ".join(sorted({repr(ch) for _, ch in enc.unknown}))
        key = "common.dropped_chars" if enc.dropped else "common.unknown_chars"
        st.warning(tr(key, n=len(enc.unknown), chars=chars))


def curve_line(c, length: int) -> str:
    """One sentence about a gradient curve: where it falls below 1 %, its per-step factor and
    the trend that factor names (see trend_rule), and whether it was exactly zero or overflowed."""
    label = curve_name(c, lang())
    if c.zero:
        return tr("memory.grad_zero", label=label)
    line = (
        tr("memory.below_line", label=label, d=c.below)
        if c.below is not None
        else tr("memory.never_below", label=label, n=length)
    )
    trend = memory.trend(c)
    if c.decay is not None:
        line += tr("memory.rate", r=c.decay, trend=tr(f"memory.trend_{trend}"))
    if c.overflow is not None:
        line += tr("memory.grad_overflow", d=c.overflow)
    return line


def trend_rule() -> str:
    """The page's stated thresholds for "vanishing" and "exploding"."""
    return tr(
        "memory.trend_rule",
        v=memory.VANISHING_RATE,
        e=memory.EXPLODING_RATE,
        h=memory.HORIZON,
        pct=memory.THRESHOLD,
        k=1 / memory.THRESHOLD,
    )


def fresh_lesson(models: dict, text: str) -> None:
    """Why the fresh RNN forgets first: the per-step multiplications, with the fresh models'
    own mean forget and update gates, and the way to the trained models' picture."""
    parts = [tr("memory.fresh_lesson")]
    if "LSTM" in models:
        parts.append(tr("memory.fresh_lesson_lstm", f=memory.mean_gate(models["LSTM"], text, "forget")))
    if "GRU" in models:
        parts.append(tr("memory.fresh_lesson_gru", z=memory.mean_gate(models["GRU"], text, "update")))
    parts.append(tr("memory.fresh_lesson_next"))
    st.info(" ".join(parts))


def trained_lesson(curves: list, length: int) -> None:
    """The trained models' subtler picture: when the curve that crosses 1 % first is the one
    that shrinks more slowly per step, say so with both numbers."""
    lesson = memory.rate_lesson(curves)
    if lesson is None:
        st.info(tr("memory.trained_lesson_plain"))
        return
    a, b = lesson.early, lesson.late
    st.info(
        tr(
            "memory.trained_lesson",
            early=curve_name(a, lang()),
            late=curve_name(b, lang()),
            d1=a.below,
            d2=b.below,
            r1=a.decay,
            r2=b.decay,
            n=length - 1,
            ratio=lesson.ratio,
        )
    )


def summary_phrase(s) -> str:
    """One kind's seeds at one lag, e.g. "RNN solved 1 of 3 seeds (best 100 %)"."""
    return tr(
        "memory.seed_phrase",
        name=series_name(s.kind, s.forget_bias),
        solved=s.solved,
        runs=s.runs,
        best=s.best,
    )


def task_lessons(rows: list[dict]) -> None:
    """Why an RNN can win recall by luck, and why the adding problem separates the kinds,
    with the shipped results at their longest lag."""
    order = [k.lower() for k in SHIPPED_KINDS]
    for task in TASKS:
        lags = [int(r["lag"]) for r in rows if r["task"] == task]
        if not lags:
            continue
        lag = max(lags)
        sums = sorted(
            memory.seed_summaries(rows, task, lag),
            key=lambda s: order.index(s.kind) if s.kind in order else len(order),
        )
        st.markdown(
            tr(
                f"memory.why_{task}",
                lag=lag,
                chance=sums[0].chance,
                symbols=MemoryConfig().num_symbols,
                runs="; ".join(summary_phrase(s) for s in sums),
            )
        )


def memory_task_section() -> None:
    """Accuracy over lag from the shipped results, and one task trained live."""
    st.header(tr("memory.lag_heading"))
    st.markdown(tr("memory.lag_intro"))
    try:
        rows = load_memory_results()
    except (OSError, ValueError, KeyError) as exc:  # missing, unreadable or malformed file
        rows = []
        st.info(tr("memory.no_results", why=getattr(exc, "strerror", None) or str(exc)))
    tasks = sorted({r["task"] for r in rows}, key=lambda task: (task != "recall", task))  # recall first
    for col, task in zip(st.columns(max(len(tasks), 1)), tasks, strict=False):
        col.subheader(tr(f"memory.task_{task}"))
        show_chart(
            accuracy_chart,
            rows,
            task,
            lang(),
            caption=tr(f"memory.acc_caption_{task}"),
            key=f"acc_{task}",
            where=col,
        )
    task_lessons(rows)

    st.subheader(tr("memory.live_heading"))
    st.markdown(tr("memory.live_intro"))
    c1, c2, c3, c4, c5 = st.columns(5)
    task = c1.selectbox(
        tr("memory.task"),
        TASKS,
        format_func=lambda s: tr(f"memory.task_{s}"),
        key=url_widget("mem_task", "recall", URL, choice(TASKS)),
    )
    kind = c2.selectbox(
        tr("memory.kind"),
        KINDS,
        format_func=str.upper,
        key=url_widget("mem_kind", "lstm", URL, choice(KINDS)),
    )
    lag = c3.select_slider(tr("memory.lag"), LAGS, key=url_widget("mem_lag", 20, URL, choice(LAGS, int)))
    bias = c4.selectbox(
        tr("memory.task_bias"),
        TASK_BIASES,
        format_func=lambda b: f"{b:g}",
        key=url_widget("mem_bias", 1.0, URL, choice(TASK_BIASES, float)),
    )
    steps = c5.number_input(
        tr("memory.task_steps"), 10, 3000, step=50, key=url_widget("mem_steps", 300, URL, choice(STEPS, int))
    )
    b1, b2, _ = st.columns([1, 1, 4])
    start = b1.button(tr("memory.train_now"), type="primary", key="mem_start")
    stop = b2.button(tr("memory.stop"), key="mem_stop")

    job = st.session_state.get(MEM_JOB)
    if start:
        job = {"task": task, "kind": kind, "lag": int(lag), "bias": float(bias), "steps": int(steps)}
        spec = jobs.memory_spec(task, kind, job["lag"], job["steps"], job["bias"])
        job |= {"handle": job_pool().submit(session_id(), spec), "losses": [], "result": None}
        job |= {"status": "queued", "error": None}
        st.session_state[MEM_JOB] = job
    elif job and stop:
        job["handle"].cancel()
    if job:
        sync_memory_job(job)
        show_job(memory_job_view, job)


def sync_memory_job(job: dict) -> bool:
    """Copy the pool job's new losses into the page's job; True when the job ended just now."""
    if job["status"] not in jobs.ACTIVE:
        return False
    handle = job["handle"]
    status = handle.status  # read first: once it has ended, every step is in handle.progress
    job["losses"] += [loss for _, _, loss in handle.progress[len(job["losses"]) :]]
    job["status"] = status
    if status in jobs.ACTIVE:
        return False
    job["result"] = handle.result
    if status == "failed":
        job["error"] = job_error(handle.end) if "error" in handle.end else tr("jobs.worker_lost")
    return True


def memory_job_view(job: dict) -> None:
    """The run's progress, live loss curve and result; redrawn on its own while the run is
    active (a fragment), and the whole page reruns once when it ends."""
    if sync_memory_job(job):
        st.rerun()
    st.markdown(
        tr(
            "memory.job_line",
            kind=job["kind"].upper(),
            task=tr(f"memory.task_{job['task']}"),
            lag=job["lag"],
            bias=job["bias"],
        )
    )
    done = len(job["losses"])
    if job["status"] == "queued":
        st.progress(0.0, text=queue_line(job["handle"]))
    else:
        status, share = memory_status(job)
        st.progress(share, text=status)
    if job["losses"]:
        drawn = show_chart(
            loss_chart, range(1, done + 1), job["losses"], lang=lang(), unit="task", key="mem_loss"
        )
        if drawn is not None:
            st.caption(tr("memory.live_loss_caption"))
    if job["error"]:
        st.error(job["error"])
    res = job["result"]
    if res is not None:
        (st.success if memory.is_solved(res.accuracy, res.chance) else st.warning)(
            tr(
                "memory.result_stopped" if res.stopped else "memory.result",
                acc=res.accuracy,
                chance=res.chance,
                seconds=res.seconds,
                steps=res.steps,
            )
        )


def memory_status(job: dict) -> tuple[str, float]:
    """The progress line of a memory-task run and how full its bar is: a run that ended early
    because the task was solved reads "solved after N steps" with a full bar."""
    done, steps, res = len(job["losses"]), job["steps"], job["result"]
    if job["status"] == "done" and res is not None and res.steps < steps:
        return tr("memory.status_solved", step=res.steps), 1.0
    return tr(f"memory.status_{job['status']}", step=done, steps=steps), done / steps


st.title(tr("nav.memory"))
st.markdown(tr("memory.intro"))

# --- 1. vanishing gradients
st.header(tr("memory.grad_heading"))
raw, cut = clip_text(
    st.text_input(tr("common.text"), key=url_widget("mem_text", tr("memory.default_text"), URL))
)
if cut:
    st.caption(tr("common.truncated", n=MAX_TEXT))
c1, c2, c3, c4 = st.columns([1.2, 1, 1, 1])
source = c1.radio(
    tr("memory.weights"),
    SOURCES,
    format_func=lambda s: tr(f"memory.weights_{s}"),
    key=url_widget("mem_source", SOURCES[0], URL, choice(SOURCES)),
)
fresh = source == "fresh"
length = c2.slider(
    tr("memory.length"),
    20,
    memory.MAX_LENGTH,
    step=10,
    key=url_widget("mem_length", 200, URL, choice(LENGTHS, int)),
)
radius = c3.select_slider(
    tr("memory.radius"),
    RADII,
    disabled=not fresh,
    help=tr("memory.radius_help"),
    key=url_widget("mem_radius", memory.DEFAULT_RADIUS, URL, choice(RADII, float)),
)
bias = c4.radio(
    tr("memory.forget_bias"),
    BIASES,
    format_func=lambda b: f"{b:g}",
    disabled=not fresh,
    horizontal=True,
    key=url_widget("mem_forget_bias", 1.0, URL, choice(BIASES, float)),
)
names = SHIPPED_KINDS
if not fresh:
    names = st.multiselect(tr("memory.models"), model_names(), default=list(SHIPPED_KINDS), key="mem_models")

text = memory.fit_length(raw, length + 1)
models = picked_models(list(names)) if not fresh else {}
reference, _ = get_model("LSTM")
vocab = reference.vocab if reference is not None else Vocab.from_text(raw or " ")
if fresh:
    models = fresh_models(float(radius), float(bias), vocab)

if not raw:
    st.info(tr("common.empty_text"))
elif not models:
    st.info(tr("memory.pick_a_model"))
else:
    show_unknown(next(iter(models.values())), raw)
    try:
        curves = (
            fresh_curves(text, float(radius), float(bias), vocab.chars)
            if fresh
            else memory.gradient_curves(models, text)
        )
    except ValueError as exc:
        curves = []
        st.warning(tr("memory.too_short", why=error_message(exc)))
    if curves:
        show_chart(
            gradient_chart, curves, lang(), caption=tr("memory.grad_caption", n=length), key="mem_grad"
        )
        st.markdown("\n".join(f"- {curve_line(c, length)}" for c in curves))
        st.caption(trend_rule())
        if fresh:
            fresh_lesson(models, text)
        else:
            trained_lesson(curves, length)

    # --- 2. how far back does it remember
    st.header(tr("memory.div_heading"))
    st.markdown(tr("memory.div_intro"))
    swap = st.text_input(tr("memory.swap"), max_chars=1, key=url_widget("mem_swap", "", URL))
    changed = memory.replace_first(text, vocab, swap or None)
    if changed == text:
        st.info(tr("memory.same_char"))
    else:
        st.text(tr("memory.div_pair", a=repr(text[:30]), b=repr(changed[:30])))
        divs = [memory.state_divergence(label, m, text, changed) for label, m in models.items()]
        show_chart(divergence_chart, divs, lang(), caption=tr("memory.div_caption"), key="mem_div")

memory_task_section()
write_url(URL, defaults={"mem_text": tr("memory.default_text")})

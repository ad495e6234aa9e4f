"""Lessons: a guided path through LSTMs: predict first, then see what the engine computes.

URL: lessons?lesson=K&step=J (both 1-based) &lang=en|zh &present=1 (presenter mode: no
sidebar, large type, only the presenter's controls). Without `lesson`: the list of lessons.
Thin page: the lesson registry (explorer.lessons) says what each step shows and asks; this
page draws it, keeps the answers in the session and moves between steps.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

import plotly.graph_objects as go
import segno
import streamlit as st

from explorer.lessons import LESSONS
from explorer.lessons.framework import (
    Chart,
    Choice,
    Knob,
    Lang,
    Latex,
    Lesson,
    Link,
    Slider,
    Step,
    Text,
    Word,
    is_right,
)
from explorer.render import error_message, plain, show_chart
from explorer.state import hand_over, lang, tr
from lstm_engine import ModelFormatError

ANSWERS = "lesson_answers"  # session_state key: "lesson_id/step" -> the learner's prediction
GOTO = "lesson_goto"  # session_state key: the Link just clicked (followed on the next run)
PRESENT_FONT = 22  # chart font size in presenter mode (readable from the back of a room)
PRESENT_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stSidebarNav"] {display: none !important;}
.stMainBlockContainer {max-width: 100% !important; padding: 1.5rem 3rem 2rem 3rem !important;}
.stMainBlockContainer p, .stMainBlockContainer li, .stMainBlockContainer label p,
.stMainBlockContainer [data-testid="stMarkdownContainer"] {font-size: 1.6rem !important; line-height: 1.45;}
.stMainBlockContainer h1 {font-size: 2.8rem !important;}
.stMainBlockContainer h2, .stMainBlockContainer h3 {font-size: 2.2rem !important;}
.stMainBlockContainer button p {font-size: 1.4rem !important;}
</style>
"""  # our own fixed CSS, never user text


# ---------------------------------------------------------------- facts, cached per process
@st.cache_resource(show_spinner=False, max_entries=32)
def lesson_facts(number: int) -> dict:
    """Every number lesson `number` (1-based) states, computed once per process (deterministic)."""
    return LESSONS[number - 1].facts()


@st.cache_resource(show_spinner=False, max_entries=64)
def step_facts(number: int, step_name: str) -> dict:
    """The lesson's facts plus what one step computes once answered (e.g. a live training run)."""
    facts = lesson_facts(number)
    step = next(s for s in LESSONS[number - 1].steps if s.name == step_name)
    return {**facts, **(step.compute(facts) if step.compute else {})}


# ---------------------------------------------------------------- small helpers
def url_int(name: str) -> int | None:
    """A positive integer URL parameter, None when absent; -1 when it is not a number."""
    raw = st.query_params.get(name)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        return -1


def go_to(lesson: int | None, step: int = 1) -> None:
    """Button callback: show this lesson and step (None: the list of lessons), keeping lang
    and present in the URL."""
    keep = {k: st.query_params[k] for k in ("lang", "present") if k in st.query_params}
    st.query_params.clear()
    st.query_params.update(keep)
    if lesson is not None:
        st.query_params.update(lesson=str(lesson), step=str(step))


def follow(link: Link) -> None:
    """Link-button callback: the page it names opens on the next run, from the link's state."""
    hand_over(dict(link.params))
    st.session_state[GOTO] = link


def resolve(value: Any, facts: dict) -> Any:
    """Chart arguments with every Word translated (formatted with the facts) and LANG replaced
    by the language code; containers are walked."""
    if isinstance(value, Word):
        return tr(value.key, **facts, **value.extra)
    if isinstance(value, Lang):
        return lang()
    if isinstance(value, dict):
        return {resolve(k, facts): resolve(v, facts) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(resolve(v, facts) for v in value)
    return value


def big(build):
    """A chart builder whose figure is enlarged for presenter mode: fonts, titles and heights."""

    def built(*args, **kwargs) -> go.Figure:
        fig = build(*args, **kwargs)
        fig.update_layout(font={"size": PRESENT_FONT}, title_font_size=PRESENT_FONT + 4)
        fig.update_xaxes(tickfont_size=PRESENT_FONT - 4, title_font_size=PRESENT_FONT)
        fig.update_yaxes(tickfont_size=PRESENT_FONT - 4, title_font_size=PRESENT_FONT)
        fig.update_layout(height=int((fig.layout.height or 360) * 1.35))
        for note in fig.layout.annotations or ():
            note.font.size = int((note.font.size or 12) * 1.7)
        return fig

    return built


def answer_text(lesson: Lesson, step: Step, value: Any, facts: dict) -> str:
    """A prediction or a truth as the learner reads it: the option's label or the number."""
    ask = step.ask
    if isinstance(ask, Choice):
        return tr(lesson.key(step.name, "opt", str(value)), **facts)
    if isinstance(ask, Slider) and ask.percent:
        return f"{float(value):.0%}"
    if isinstance(ask, Slider):
        return f"{float(value):.{slider_decimals(ask)}f}"
    return f"{float(value):.3f}"


def slider_decimals(ask: Slider) -> int:
    """Decimals a slider's values are shown with: none for whole-number steps."""
    return 0 if float(ask.step).is_integer() else 2


# ---------------------------------------------------------------- drawing blocks
def draw(blocks: list, facts: dict, prefix: str, present: bool, tag: str = "") -> None:
    """Draw a step's blocks; prefix: the step's text key prefix (lesson.<id>.<step>), which
    with `tag` also makes the widget and chart keys unique on the page."""
    for i, block in enumerate(blocks):
        key = f"{prefix}#{tag}{i}"
        if isinstance(block, Text):
            st.markdown(tr(block.key, **facts, **block.extra))
        elif isinstance(block, Latex):
            st.latex(block.source)
        elif isinstance(block, Chart):
            show_chart(
                big(block.build) if present else block.build,
                *resolve(block.args, facts),
                caption=tr(block.caption, **facts),
                key=key,
                config={"displaylogo": False},
                **resolve(dict(block.kwargs), facts),
            )
        elif isinstance(block, Link) and not present:
            label = tr(block.label, **facts, page=tr(f"nav.{block.page}"))
            st.button(label, key=key, icon=":material/open_in_new:", on_click=follow, args=(block,))
        elif isinstance(block, Knob):
            label = tr(f"{prefix}.knob.{block.name}", **facts)
            value = st.select_slider(label, block.options, value=block.start, key=key)
            draw(block.blocks(value), facts, prefix, present, f"{tag}{i}_")


def store(slot: str, key: str, scale: float) -> None:
    """Check-button callback: keep the prediction now in widget `key` (times `scale`)."""
    value = st.session_state.get(key)
    if value is not None:
        answers = dict(st.session_state.get(ANSWERS, {}))
        answers[slot] = value * scale if isinstance(value, float) else value
        st.session_state[ANSWERS] = answers


def forget(slot: str) -> None:
    """Change-my-prediction callback: drop the stored prediction so the question shows again."""
    answers = dict(st.session_state.get(ANSWERS, {}))
    answers.pop(slot, None)
    st.session_state[ANSWERS] = answers


def ask(lesson: Lesson, step: Step, facts: dict, answers: dict) -> Any:
    """The prediction widget and its Check button; returns the stored answer (None until given)."""
    slot = f"{lesson.id}/{step.name}"
    if slot in answers:
        return answers[slot]
    q, key, a = tr(lesson.key(step.name, "q"), **facts), f"ask:{slot}", step.ask
    scale = 100.0 if isinstance(a, Slider) and a.percent else 1.0  # percent sliders show 0..100
    if isinstance(a, Choice):
        labels = {o: tr(lesson.key(step.name, "opt", o), **facts) for o in a.options}
        value = st.radio(q, a.options, index=None, key=key, format_func=labels.get)
    elif isinstance(a, Slider):
        fmt = "%.0f%%" if a.percent else f"%.{slider_decimals(a)}f"
        value = st.slider(q, a.lo * scale, a.hi * scale, a.start * scale, a.step * scale, format=fmt, key=key)
    else:
        value = st.number_input(
            q, value=None, step=0.001, format="%.3f", key=key, placeholder=tr("lessons.type")
        )
    st.button(
        tr("lessons.check"),
        type="primary",
        disabled=value is None,
        key=f"check:{slot}",
        on_click=store,
        args=(slot, key, 1 / scale),
    )
    return None


def show_step(number: int, lesson: Lesson, step: Step, present: bool) -> None:
    """One step: its text and blocks, then (if it asks) the prediction, verdict and reveal."""
    facts = lesson_facts(number)
    st.subheader(tr(lesson.key(step.name, "title"), **facts))
    st.markdown(tr(lesson.key(step.name, "body"), **facts))
    draw(step.show(facts), facts, lesson.key(step.name), present)
    if step.ask is None:
        return
    answer = ask(lesson, step, facts, st.session_state.get(ANSWERS, {}))
    if answer is None:
        st.caption(tr("lessons.hidden_until"))
        return
    with st.spinner(tr("lessons.computing")):
        facts = step_facts(number, step.name)
    truth = step.truth(facts)
    words = {
        "answer": answer_text(lesson, step, answer, facts),
        "truth": answer_text(lesson, step, truth, facts),
    }
    verdict = "right" if is_right(step.ask, answer, truth) else "wrong"
    (st.success if verdict == "right" else st.warning)(tr(lesson.key(step.name, verdict), **facts, **words))
    draw(step.reveal(facts, answer), facts, lesson.key(step.name), present)
    st.button(
        tr("lessons.again"),
        key=f"again:{lesson.id}/{step.name}",
        on_click=forget,
        args=(f"{lesson.id}/{step.name}",),
    )


def summary(number: int, lesson: Lesson) -> None:
    """The last step: every prediction beside what the engine computed."""
    facts = lesson_facts(number)
    answers = st.session_state.get(ANSWERS, {})
    st.subheader(tr("lessons.summary"))
    rows, right = [], 0
    head = [tr("lessons.col.question"), tr("lessons.col.yours"), tr("lessons.col.engine"), ""]
    for step in lesson.questions:
        slot = f"{lesson.id}/{step.name}"
        if slot not in answers:
            rows.append([tr(lesson.key(step.name, "short"), **facts), "—", tr("lessons.not_answered"), ""])
            continue
        sf = step_facts(number, step.name)
        truth = step.truth(sf)
        ok = is_right(step.ask, answers[slot], truth)
        right += ok
        shown = (answer_text(lesson, step, v, sf) for v in (answers[slot], truth))
        rows.append([tr(lesson.key(step.name, "short"), **facts), *shown, "✓" if ok else "✗"])
    table = "\n".join(
        ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        + ["| " + " | ".join(plain(c, 200) for c in row) + " |" for row in rows]
    )
    st.markdown(table)
    st.markdown(tr("lessons.score", right=right, n=len(lesson.questions)))
    st.markdown(tr(lesson.key("goal"), **facts))


def share(number: int, step: int, present: bool) -> None:
    """The current step's link (without presenter mode) and its QR code, drawn offline."""
    query = urlencode({"lesson": number, "step": step, "lang": lang()})
    base = st.context.url or "lessons"
    link = f"{base}?{query}"
    buf = io.BytesIO()
    segno.make(link, error="m").save(buf, kind="png", scale=8 if present else 5, border=2)
    st.image(buf.getvalue(), caption=tr("lessons.qr_cap"), width=260 if present else 180)
    if not present:
        st.code(link, language=None)


def overview() -> None:
    """The start screen: what the lessons are, and one card per lesson."""
    st.title(tr("lessons.title"))
    st.markdown(tr("lessons.intro"))
    for k, lesson in enumerate(LESSONS, start=1):
        if k % 2:  # a row per pair, so a phone stacks the cards in lesson order
            cols = st.columns(2)
        with cols[(k - 1) % 2].container(border=True, height="stretch"):
            st.markdown(f"**{k}. {tr(lesson.key('title'))}**")
            st.caption(tr(lesson.key("goal")) + " " + tr("lessons.n_steps", n=len(lesson.steps) + 1))
            st.button(
                tr("lessons.start"),
                key=f"start_{k}",
                on_click=go_to,
                args=(k,),
                type="primary" if k == 1 else "secondary",
            )


# ---------------------------------------------------------------- the page
if GOTO in st.session_state:
    link = st.session_state.pop(GOTO)
    st.switch_page(f"pages/{link.page}.py", query_params={**link.params, "lang": lang()})
present = st.query_params.get("present") == "1"
if present:
    st.markdown(PRESENT_CSS, unsafe_allow_html=True)
number = url_int("lesson")
if number is None:
    overview()
    st.stop()
if not 1 <= number <= len(LESSONS):
    st.warning(tr("lessons.bad_lesson", n=len(LESSONS)))
    overview()
    st.stop()

lesson = LESSONS[number - 1]
total = len(lesson.steps) + 1  # the summary is the last step
j = url_int("step") or 1
if not 1 <= j <= total:
    st.info(tr("lessons.bad_step", n=total))
    j = min(max(j, 1), total)
    st.query_params["step"] = str(j)

title_col, qr_col = st.columns([4, 1]) if present else (st.container(), None)
with title_col:
    st.title(tr("lessons.heading", k=number, title=tr(lesson.key("title"))))
    progress, picker = st.columns([3, 2], vertical_alignment="bottom") if not present else (st, None)
    progress.progress(j / total, text=tr("lessons.progress", j=j, n=total))
if picker is not None:
    titles = {k: f"{k}. {tr(les.key('title'))}" for k, les in enumerate(LESSONS, start=1)}
    picker.selectbox(
        tr("lessons.pick"),
        list(titles),
        index=number - 1,
        format_func=titles.get,
        key=f"pick_{number}",
        on_change=lambda: go_to(st.session_state[f"pick_{number}"]),
    )

try:
    if j < total:
        show_step(number, lesson, lesson.steps[j - 1], present)
    else:
        summary(number, lesson)
except (ModelFormatError, OSError) as exc:
    st.error(tr("lessons.unavailable", why=error_message(exc)))

row = st.container(horizontal=True, vertical_alignment="center")
row.button(
    tr("lessons.back"),
    disabled=j <= 1,
    on_click=go_to,
    args=(number, j - 1),
    key="back",
    icon=":material/arrow_back:",
)
if j < total:
    row.button(
        tr("lessons.next"),
        type="primary",
        on_click=go_to,
        args=(number, j + 1),
        key="next",
        icon=":material/arrow_forward:",
    )
elif number < len(LESSONS):
    row.button(tr("lessons.next_lesson"), type="primary", on_click=go_to, args=(number + 1,), key="next")
row.button(tr("lessons.all"), on_click=go_to, args=(None,), key="all", type="tertiary")
with qr_col or st.expander(tr("lessons.share")):
    share(number, j, present)

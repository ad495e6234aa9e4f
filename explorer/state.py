"""Session, query-parameter and model state shared by the pages.

Shipped models load once per process (`st.cache_resource`, never mutated); models a user
trains or uploads live only in that user's `st.session_state`. The language, the sentence,
the model and the step also live in the URL (`st.query_params`) so a view can be shared.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from explorer import jobs
from explorer.texts import LANGS, error_text, t
from explorer.visual import code_span  # noqa: F401 - pages import it from here too
from lstm_engine import Model, ModelFormatError, Trace, load_model

MODELS_DIR = Path(__file__).resolve().parent.parent / "assets" / "models"
ZH_MODEL = "LSTM 中文"  # the Chinese character model (scripts/train_chinese.py)
SHIPPED = {"LSTM": "lstm.npz", "GRU": "gru.npz", "RNN": "rnn.npz", ZH_MODEL: "zh.npz"}  # picker name -> file
# the Read-both-ways page's two models: the one that fills in blanks from both sides, and the
# same task read from the left only
BOTH_WAYS = {"both": "blank_bilstm.npz", "left": "blank_left_lstm.npz"}
USER_MODELS = "user_models"  # session_state key: dict name -> Model
MAX_TEXT = 400  # characters a page runs; longer input is cut with a visible note
DEFAULT_TEXT = 'print("Hello, world!")  # the (quotes) open and close'  # what a newcomer sees first
ZH_TEXT = "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"  # 5-character lines: watch a unit count
LANG_DEFAULTS = {"en": ("LSTM", DEFAULT_TEXT), "zh": (ZH_MODEL, ZH_TEXT)}  # language -> (model, sentence)
REDRAW_S = 0.5  # seconds between redraws of a running training job
KEPT = "_kept"  # session_state key: dict widget key -> last value, survives page switches


def lang() -> str:
    """The UI language code, from the session (set by the switch in app.py) or the URL."""
    code = st.session_state.get("lang") or st.query_params.get("lang", "en")
    return code if code in LANGS else "en"


def default_model(code: str | None = None) -> str:
    """The model a newcomer in this language (default: the UI's) sees first."""
    return LANG_DEFAULTS[code or lang()][0]


def default_text(code: str | None = None) -> str:
    """The sentence a newcomer in this language (default: the UI's) sees first."""
    return LANG_DEFAULTS[code or lang()][1]


def tr(key: str, **fmt: object) -> str:
    """`texts.t` in the current language."""
    return t(key, lang(), **fmt)


def set_query_params(**values: object) -> None:
    """Write values into the URL so the view can be shared (only when they changed)."""
    for key, value in values.items():
        if st.query_params.get(key) != str(value):
            st.query_params[key] = str(value)


@st.cache_resource(show_spinner=False, max_entries=8)
def shipped_model(filename: str) -> Model:
    """A shipped model, loaded and validated once per process. Raises ModelFormatError or
    OSError (not cached, so a fixed file is picked up on the next run)."""
    return load_model(MODELS_DIR / filename)


def user_models() -> dict[str, Model]:
    """This session's own models (trained or uploaded), never shared with other users."""
    return st.session_state.setdefault(USER_MODELS, {})


def add_user_model(name: str, model: Model) -> str:
    """Register a model for this session under a unique name and return that name."""
    models = user_models()
    base, n = name, 2
    while name in models or name in SHIPPED:
        name, n = f"{base} ({n})", n + 1
    models[name] = model
    return name


def model_names() -> list[str]:
    """Every model the picker offers: the shipped ones, then this session's."""
    return [*SHIPPED, *user_models()]


def get_model(name: str) -> tuple[Model | None, str | None]:
    """(model, None) or (None, a clear message) for a picker name."""
    if name in user_models():
        return user_models()[name], None
    return load_shipped(SHIPPED.get(name, SHIPPED["LSTM"]), name)


def load_shipped(filename: str, name: str) -> tuple[Model | None, str | None]:
    """(model, None) or (None, a clear message naming it `name`) for a shipped model file."""
    try:
        return shipped_model(filename), None
    except (ModelFormatError, OSError) as exc:
        why = (
            error_text(exc, lang())
            if isinstance(exc, ModelFormatError)
            else tr("common.file_missing", file=filename)
        )
        return None, tr("common.model_missing", name=name, why=why)


def clip_text(text: str, limit: int = MAX_TEXT) -> tuple[str, bool]:
    """(text cut to `limit` characters, whether it was cut)."""
    return (text[:limit], True) if len(text) > limit else (text, False)


def widget_key(name: str, page: str = "") -> str:
    """The widget key of a shared setting on one page, e.g. "gates:text"."""
    return f"{page}:{name}" if page else name


def seed_widget(name: str, default: Any, url: str | None = None, cast=str, page: str = "") -> str:
    """Give the widget for setting `name` on `page` its starting value and return its key.

    Streamlit drops a widget's state when a page without it runs, and the same key on two
    pages is not reliably the same widget, so each page has its own key (see widget_key) and
    pages that share a setting (the sentence, the model, the step) keep a copy of its value
    (see keep). The starting value is that copy, else the URL parameter `url` (converted with
    `cast`; a bad value is ignored), else `default`.
    """
    key = widget_key(name, page)
    if key not in st.session_state:
        value = st.session_state.get(KEPT, {}).get(name)
        if value is None and url and url in st.query_params:
            try:
                value = cast(st.query_params[url])
            except (TypeError, ValueError):
                value = None
        st.session_state[key] = default if value is None else value
    return key


def choice(options: tuple | list, cast: Callable[[str], Any] = str) -> Callable[[str], Any]:
    """A URL-value parser for `seed_widget`/`url_widget`: `cast` the text and accept it only
    when it is one of `options` (ValueError otherwise, so a bad link falls back to the default)."""

    def parse(raw: str) -> Any:
        value = cast(raw)
        if value not in options:
            raise ValueError(f"{raw!r} is not one of the choices")
        return value

    return parse


def url_widget(key: str, default: Any, params: dict[str, str], cast: Callable[[str], Any] = str) -> str:
    """Seed the widget `key` from the URL parameter `params[key]` (parsed with `cast`; a bad
    value is ignored) or `default`, and return the key. `write_url(params)` after the widgets
    puts the values back into the URL, so a page's knobs can be shared as a link."""
    return seed_widget(key, default, url=params[key], cast=cast)


def write_url(params: dict[str, str], defaults: dict[str, Any] | None = None) -> None:
    """Write the current value of every widget in `params` (widget key -> URL parameter) into
    the URL; a value equal to its entry in `defaults` is left out (e.g. a long default text)."""
    defaults = defaults or {}
    for key, param in params.items():
        if key not in st.session_state:
            continue
        if key in defaults and st.session_state[key] == defaults[key]:
            if param in st.query_params:
                del st.query_params[param]
        else:
            set_query_params(**{param: st.session_state[key]})


def keep(*names: str, page: str = "") -> None:
    """Remember the current values of these settings for the other pages (see seed_widget)."""
    kept = st.session_state.setdefault(KEPT, {})
    for name in names:
        key = widget_key(name, page)
        if key in st.session_state:
            kept[name] = st.session_state[key]


def follow_text(step_key: str, text: str, last: int, memo: str = "step_text") -> None:
    """When the sentence changed since the step was last set, move the step cursor to the
    sentence's last character (index `last`); a step from the URL is kept on first load.
    `memo` names the remembered sentence, one per cursor that follows it."""
    kept = st.session_state.setdefault(KEPT, {})
    if kept.get(memo, text) != text:
        st.session_state[step_key] = last
    kept[memo] = text


URL_SETTINGS = {
    "text": "text",
    "model": "model",
    "step": "step",
    "source": "step_source",
    "blank": "blank",
    "show": "show",
}  # URL name -> setting


def hand_over(params: dict[str, object]) -> None:
    """Make the next page opened start from these URL parameters (e.g. a lesson's link into
    the gates page): each replaces this session's kept copy of its setting (see keep and
    URL_SETTINGS), which seed_widget would otherwise prefer to the URL, and a step given with
    a text belongs to that text (see follow_text)."""
    kept = st.session_state.setdefault(KEPT, {})
    for url, value in params.items():
        if url in URL_SETTINGS:
            kept[URL_SETTINGS[url]] = value
    if "text" in params:
        kept["step_text"] = params["text"]


def model_picker_key(page: str = "") -> str:
    """Seed the shared model picker (URL `model=`, default the language's model, see
    LANG_DEFAULTS) and make sure its value is still one of `model_names()`. Returns the key."""
    key = seed_widget("model", default_model(), url="model", page=page)
    if st.session_state[key] not in model_names():
        st.session_state[key] = default_model()
    st.session_state.setdefault(KEPT, {}).setdefault("model_lang", lang())
    return key


def model_offer() -> str | None:
    """The model to offer after a language switch: the new language's model when the picked
    one was chosen in another language and is not it, else None (see accept_offer)."""
    kept = st.session_state.get(KEPT, {})
    here = lang()
    if kept.get("model_lang", here) == here or kept.get("model") == default_model(here):
        return None
    return default_model(here)


def accept_offer(page: str, accept: bool) -> None:
    """Button callback of the offer: switch the picker to the language's model (and an
    untouched default sentence to this language's), or keep the current one; either way the
    offer is settled for this language."""
    kept = st.session_state.setdefault(KEPT, {})
    kept["model_lang"] = lang()
    if not accept:
        return
    kept["model"] = st.session_state[widget_key("model", page)] = default_model()
    text_key = widget_key("text", page)
    if st.session_state.get(text_key) in {text for _, text in LANG_DEFAULTS.values()}:
        kept["text"] = st.session_state[text_key] = default_text()


def picked_model(page: str) -> None:
    """Picker callback: a model the user picks is their choice in this language (no offer)."""
    st.session_state.setdefault(KEPT, {})["model_lang"] = lang()


def clamp_widget(key: str, lo: int, hi: int) -> None:
    """Keep an integer widget's stored value inside [lo, hi] (e.g. a step after the text got shorter)."""
    if key in st.session_state:
        st.session_state[key] = int(min(max(int(st.session_state[key]), lo), hi))


@st.cache_data(show_spinner=False, max_entries=32)
def _shipped_trace(filename: str, text: str) -> Trace:
    """Run a shipped model on a text; cached per (file, text), bounded."""
    return shipped_model(filename).run(text)


def run_model(name: str, model: Model, text: str) -> Trace:
    """`model.run(text)`, cached per (shipped model, text); this session's own models just run
    (the engine reads 400 characters in milliseconds, and their arrays are not hashed)."""
    if name in SHIPPED and name not in user_models():
        return _shipped_trace(SHIPPED[name], text)
    return model.run(text)


def session_id() -> str:
    """This browser session's id (the owner of its training job)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "no-session"


def session_alive(owner: str) -> bool:
    """Whether a session is still known to the server: connected, or disconnected for less than
    `server.disconnectedSessionTTL` (it may still reconnect). Always true without a server
    (e.g. in AppTest, whose stand-in runtime has no session manager)."""
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return True
    sessions = getattr(Runtime.instance(), "_session_mgr", None)  # (no public lookup of stored sessions)
    return sessions is None or sessions.get_session_info(owner) is not None


def job_pool() -> jobs.Pool:
    """The server process's training pool; jobs of sessions that ended are stopped."""
    return jobs.pool(alive=session_alive)


def queue_line(job: jobs.Job) -> str:
    """What a queued job's owner reads: how many trainings wait before theirs."""
    ahead = job_pool().ahead(job)
    return tr("jobs.queued", n=ahead) if ahead else tr("jobs.queued_next", n=job_pool().size)


def show_job(view: Callable[[dict], None], job: dict) -> None:
    """Draw `view(job)` in a fragment that redraws itself every REDRAW_S seconds while the
    page's job (a dict whose "status" mirrors its pool job) is queued or running."""
    st.fragment(view, run_every=REDRAW_S if job["status"] in jobs.ACTIVE else None)(job)

"""Session, query-parameter and model state shared by the pages.

Shipped models load once per process (`st.cache_resource`, never mutated); models a user
trains or uploads live only in that user's `st.session_state`. The language, the sentence,
the model and the step also live in the URL (`st.query_params`) so a view can be shared.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from explorer.texts import LANGS, t
from lstm_engine import Model, ModelFormatError, load_model

MODELS_DIR = Path(__file__).resolve().parent.parent / "assets" / "models"
SHIPPED = {"LSTM": "lstm.npz", "GRU": "gru.npz", "RNN": "rnn.npz"}  # picker name -> file
USER_MODELS = "user_models"  # session_state key: dict name -> Model
MAX_TEXT = 400  # characters a page runs; longer input is cut with a visible note


def lang() -> str:
    """The UI language code, from the session (set by the switch in app.py) or the URL."""
    code = st.session_state.get("lang") or st.query_params.get("lang", "en")
    return code if code in LANGS else "en"


def tr(key: str, **fmt: object) -> str:
    """`texts.t` in the current language."""
    return t(key, lang(), **fmt)


def query_param(key: str, default: str) -> str:
    """A value from the URL, or `default` when absent."""
    return st.query_params.get(key, default)


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
    filename = SHIPPED.get(name, SHIPPED["LSTM"])
    try:
        return shipped_model(filename), None
    except (ModelFormatError, OSError) as exc:
        why = str(exc) if isinstance(exc, ModelFormatError) else f"{filename} not found"
        return None, tr("common.model_missing", name=name, why=why)


def clip_text(text: str, limit: int = MAX_TEXT) -> tuple[str, bool]:
    """(text cut to `limit` characters, whether it was cut)."""
    return (text[:limit], True) if len(text) > limit else (text, False)

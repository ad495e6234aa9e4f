"""The lesson framework: a lesson is a few steps; a step shows blocks, may ask the learner to
predict first, and reveals its answer blocks only once the prediction is in.

Everything here is data plus pure functions (no st.*): pages/lessons.py renders it. A lesson
module (see explorer/lessons/__init__.py for the registry) declares

    LESSON = Lesson("quotes", facts, (Step("read", show=...), Step("guess", ask=..., ...)))

and its texts live in explorer/locales/{en,zh}.json under `lesson.<id>.`:

    lesson.<id>.title / .goal                  the lesson's name and one-line goal
    lesson.<id>.<step>.title / .body           every step (body: markdown)
    lesson.<id>.<step>.q / .short              a question, and its label in the summary
    lesson.<id>.<step>.opt.<option>            a choice's options
    lesson.<id>.<step>.right / .wrong          the verdict, explaining the gap

Texts are formatted with the lesson's facts (the numbers the engine computed) plus `answer`
and `truth`, so no text ever states a number typed by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import plotly.graph_objects as go

Facts = Mapping[str, Any]  # name -> a number, array or object the engine computed


# ---------------------------------------------------------------- what a step shows
@dataclass(frozen=True)
class Text:
    """A markdown paragraph: the text `key`, formatted with the facts (and `extra`)."""

    key: str
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Chart:
    """A figure from a pure builder, `build(*args, **kwargs)`, with a caption text key
    (every chart says what to look at)."""

    build: Callable[..., go.Figure]
    args: tuple
    caption: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Latex:
    """An equation (LaTeX built from numbers and fixed symbols only)."""

    source: str


@dataclass(frozen=True)
class Link:
    """A link into the full page the lesson teaches, with that page's state in its URL.

    page: the page's url_path ("gates", "one_step", ...); params: its query parameters
    (the language is added by the page); label: text key."""

    page: str
    params: Mapping[str, Any]
    label: str


@dataclass(frozen=True)
class Knob:
    """A control the learner turns after the reveal (e.g. the recurrent radius): a select
    slider over `options`, starting at `start`; `blocks(value)` gives what it shows."""

    name: str  # widget key suffix and text key: lesson.<id>.<step>.knob.<name>
    options: tuple
    start: Any
    blocks: Callable[[Any], list]


Block = Text | Chart | Latex | Link | Knob


@dataclass(frozen=True)
class Word:
    """A text key inside a chart's arguments (a title, an axis name): the page translates it
    into the learner's language, formatted with the facts (and `extra`), before calling the
    builder."""

    key: str
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __hash__(self) -> int:  # a Word can name a series: a dict key
        return hash((self.key, tuple(sorted(self.extra.items()))))


class Lang:
    """Stands for the learner's language code in a chart's arguments (builders that take `lang`)."""


LANG = Lang()


# ---------------------------------------------------------------- how a step asks
@dataclass(frozen=True)
class Choice:
    """Pick one of `options` (ids; labels are lesson.<id>.<step>.opt.<option>)."""

    options: tuple[str, ...]


@dataclass(frozen=True)
class Slider:
    """Slide to a number in [lo, hi]; right when within `tolerance` of the truth.
    `percent`: shown and summarised as a percentage."""

    lo: float
    hi: float
    step: float
    start: float
    tolerance: float
    percent: bool = False


@dataclass(frozen=True)
class Number:
    """Type a number; right when within `tolerance` of the truth."""

    tolerance: float


Question = Choice | Slider | Number


def nothing(*_: Any) -> list:
    """A step part that shows nothing."""
    return []


@dataclass(frozen=True)
class Step:
    """One step of a lesson.

    name: key part (lesson.<id>.<name>.*); show(facts): blocks always shown; ask: the
    prediction asked before anything is revealed (None: a plain step); truth(facts): the
    right answer (an option id or a number) computed by the engine; reveal(facts, answer):
    blocks shown only once answered; compute(facts): extra facts this step needs only once
    answered (e.g. a live training run), merged into the facts it reveals with.
    """

    name: str
    show: Callable[[Facts], list] = nothing
    ask: Question | None = None
    truth: Callable[[Facts], Any] | None = None
    reveal: Callable[[Facts, Any], list] = nothing
    compute: Callable[[Facts], dict] | None = None


@dataclass(frozen=True)
class Lesson:
    """A lesson: an id (its text keys' prefix), the facts every step reads (computed by the
    engine from the shipped models, deterministic), and its steps. The page appends a summary
    step of every prediction."""

    id: str
    facts: Callable[[], dict]
    steps: tuple[Step, ...]

    def key(self, *parts: str) -> str:
        """The text key lesson.<id>.<parts...>."""
        return ".".join(("lesson", self.id, *parts))

    @property
    def questions(self) -> tuple[Step, ...]:
        """The steps that ask for a prediction."""
        return tuple(s for s in self.steps if s.ask is not None)


# ---------------------------------------------------------------- checking a prediction
def is_right(question: Question, answer: Any, truth: Any) -> bool:
    """Whether a prediction matches the engine's answer: the same option, or a number within
    the question's tolerance."""
    if isinstance(question, Choice):
        return answer == truth
    return abs(float(answer) - float(truth)) <= question.tolerance


def text_keys(lesson: Lesson) -> list[str]:
    """Every text key a lesson uses (the tests check each exists in every language)."""
    keys = [lesson.key("title"), lesson.key("goal")]
    for s in lesson.steps:
        keys += [lesson.key(s.name, "title"), lesson.key(s.name, "body")]
        if s.ask is not None:
            keys += [lesson.key(s.name, k) for k in ("q", "short", "right", "wrong")]
        if isinstance(s.ask, Choice):
            keys += [lesson.key(s.name, "opt", o) for o in s.ask.options]
    return keys

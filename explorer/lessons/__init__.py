"""The lesson registry: the lessons in the order the Lessons page offers them.

Adding a lesson is one small change: a module here that declares `LESSON` (see framework.py),
its entry in LESSONS, and its texts under `lesson.<id>.` in explorer/locales/{en,zh}.json.
Lesson K in the URL (`lessons?lesson=K&step=J`) is LESSONS[K - 1].
"""

from . import adding, boss, both_ways, by_hand, counting, forget, gru, quotes, recall, vanishing
from .framework import Lesson

LESSONS: tuple[Lesson, ...] = (
    quotes.LESSON,
    by_hand.LESSON,
    boss.LESSON,
    forget.LESSON,
    vanishing.LESSON,
    adding.LESSON,
    recall.LESSON,
    gru.LESSON,
    both_ways.LESSON,
    counting.LESSON,
)

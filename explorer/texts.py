"""Every UI string, in English and Simplified Chinese. Pages call `t(key)`; nothing else holds text.

Keys are grouped by page with a prefix ("nav.", "gates.", ...). A missing translation falls
back to English; a missing key raises KeyError so typos fail in tests, not silently on screen.
"""

from __future__ import annotations

LANGS = {"en": "English", "zh": "简体中文"}

STRINGS: dict[str, dict[str, str]] = {
    # --- app shell
    "app.title": {"en": "LSTM Explorer", "zh": "LSTM 探索器"},
    "app.language": {"en": "Language", "zh": "语言"},
    "app.tagline": {
        "en": "See inside a recurrent network: every gate, every state, every gradient.",
        "zh": "看清循环神经网络的内部：每一个门、每一个状态、每一个梯度。",
    },
    "nav.gates": {"en": "Watch the gates", "zh": "观察门控"},
    "nav.one_step": {"en": "One step, all the numbers", "zh": "单步计算，全部数值"},
    "nav.memory": {"en": "RNN vs LSTM memory", "zh": "RNN 与 LSTM 的记忆"},
    "nav.train": {"en": "Train your own", "zh": "训练你自己的模型"},
    "nav.cells": {"en": "Inside the cells", "zh": "细胞内部"},
    # --- shared
    "common.model": {"en": "Model", "zh": "模型"},
    "common.text": {"en": "Your sentence", "zh": "你的句子"},
    "common.empty_text": {
        "en": "Type at least one character to see the network run.",
        "zh": "请至少输入一个字符，才能看到网络运行。",
    },
    "common.truncated": {
        "en": "Your text was cut to the first {n} characters to keep the page fast.",
        "zh": "为保证页面流畅，你的文本已截取为前 {n} 个字符。",
    },
    "common.unknown_chars": {
        "en": "{n} character(s) are not in this model's vocabulary and were read as the unknown symbol �: {chars}",
        "zh": "有 {n} 个字符不在该模型的词表中，已按未知符号 � 处理：{chars}",
    },
    "common.dropped_chars": {
        "en": "{n} character(s) are not in this model's vocabulary and were left out: {chars}",
        "zh": "有 {n} 个字符不在该模型的词表中，已被跳过：{chars}",
    },
    "common.model_missing": {
        "en": "The shipped model '{name}' could not be loaded ({why}). The other pages still work.",
        "zh": "无法加载内置模型“{name}”（{why}）。其他页面仍可正常使用。",
    },
    "common.chart_failed": {
        "en": "This chart could not be drawn ({why}); the rest of the page is unaffected.",
        "zh": "此图表无法绘制（{why}）；页面其余部分不受影响。",
    },
    "common.shipped": {"en": "shipped", "zh": "内置"},
    "common.yours": {"en": "yours", "zh": "你的"},
    # --- gates page (keys "gates.*")
    # --- end gates page
    # --- one-step page (keys "step.*")
    # --- end one-step page
    # --- memory page (keys "memory.*")
    # --- end memory page
    # --- train page (keys "train.*")
    # --- end train page
    # --- cells page (keys "cells.*")
    # --- end cells page
}


def t(key: str, lang: str = "en", **fmt: object) -> str:
    """The string for `key` in `lang` (English if untranslated), formatted with `fmt`."""
    entry = STRINGS[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**fmt) if fmt else text

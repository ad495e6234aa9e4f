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
    "gates.intro": {
        "en": "Type a sentence and press Enter. Each heatmap below has one row per unit of the network and one column per character: you can watch every gate open (1) and close (0) as the model reads.",
        "zh": "输入一个句子并按回车。下面每张热力图的每一行是网络的一个单元，每一列是一个字符：你可以看到模型逐字阅读时，每个门如何打开（1）和关闭（0）。",
    },
    "gates.text_help": {
        "en": "Up to {n} characters. Characters the model never saw (emoji, Chinese, ...) are read as the unknown symbol.",
        "zh": "最多 {n} 个字符。模型没见过的字符（表情符号、中文等）会按未知符号读取。",
    },
    "gates.model_help": {
        "en": "The shipped models were trained on the Python documentation; models you train or upload in this session appear here too.",
        "zh": "内置模型在 Python 文档上训练；你在本次会话中训练或上传的模型也会出现在这里。",
    },
    "gates.layer": {"en": "Layer", "zh": "层"},
    "gates.layer_name": {"en": "layer {k} of {n}", "zh": "第 {k} 层（共 {n} 层）"},
    "gates.order": {"en": "Order the units by", "zh": "单元排序方式"},
    "gates.order.index": {"en": "index", "zh": "编号"},
    "gates.order.activity": {"en": "most active first", "zh": "最活跃优先"},
    "gates.order.cluster": {"en": "similarity (clustered)", "zh": "相似度（聚类）"},
    "gates.top_n": {"en": "Units shown (the most active)", "zh": "显示的单元数（最活跃的）"},
    "gates.top_n_help": {
        "en": "A unit is active when its values change a lot while reading this sentence (mean standard deviation over time of its gates and states).",
        "zh": "单元的“活跃度”指它在读这句话时数值变化的大小（其各个门和状态随时间的标准差的平均值）。",
    },
    "gates.units_note": {
        "en": "Showing {n} of {total} units, ordered by {order}. Drag across a heatmap to zoom in and read the characters; double-click to zoom out.",
        "zh": "显示 {total} 个单元中的 {n} 个，按{order}排序。在热力图上拖动可放大查看字符，双击可还原。",
    },
    "gates.step": {"en": "Time cursor: step t", "zh": "时间游标：第 t 步"},
    "gates.step_help": {
        "en": "Pick a character; the bars below show every gate at that step and what the model expects next.",
        "zh": "选择一个字符；下方的柱状图显示该步的所有门，以及模型预测的下一个字符。",
    },
    "gates.hover.step": {"en": "step · char", "zh": "步 · 字符"},
    "gates.hover.unit": {"en": "unit", "zh": "单元"},
    "gates.hover.value": {"en": "value", "zh": "数值"},
    "gates.hover.bits": {"en": "surprise (bits)", "zh": "意外度（比特）"},
    "gates.title.input": {
        "en": "Input gate I (0 = ignore the new candidate, 1 = write it)",
        "zh": "输入门 I（0 = 忽略新候选值，1 = 写入）",
    },
    "gates.title.forget": {
        "en": "Forget gate F (0 = erase the cell, 1 = keep it)",
        "zh": "遗忘门 F（0 = 清除记忆，1 = 保留）",
    },
    "gates.title.candidate": {
        "en": "Candidate C̃ (what could be written, in [−1, 1])",
        "zh": "候选记忆 C̃（可能写入的内容，范围 [−1, 1]）",
    },
    "gates.title.candidate_gru": {
        "en": "Candidate H̃ (the proposed new state, in [−1, 1])",
        "zh": "候选隐状态 H̃（提议的新状态，范围 [−1, 1]）",
    },
    "gates.title.output": {
        "en": "Output gate O (how much of the cell is shown as H)",
        "zh": "输出门 O（记忆单元有多少输出到 H）",
    },
    "gates.title.update": {
        "en": "Update gate Z (1 = keep the old state, 0 = take the candidate)",
        "zh": "更新门 Z（1 = 保留旧状态，0 = 采用候选值）",
    },
    "gates.title.reset": {
        "en": "Reset gate R (0 = ignore the past when making the candidate)",
        "zh": "重置门 R（0 = 生成候选值时忽略过去）",
    },
    "gates.title.cell": {
        "en": "Cell state C (the long-term memory, colour range [−3, 3])",
        "zh": "记忆单元 C（长期记忆，颜色范围 [−3, 3]）",
    },
    "gates.title.hidden": {
        "en": "Hidden state H (what the next layer and the prediction see)",
        "zh": "隐状态 H（下一层和预测所看到的内容）",
    },
    "gates.cap.input": {
        "en": "Bright columns are characters the cell decides to write down; look for units that light up only at quotes, brackets or spaces.",
        "zh": "亮的列表示单元决定记下的字符；留意那些只在引号、括号或空格处亮起的单元。",
    },
    "gates.cap.forget": {
        "en": "Dark cells are moments of erasing: a unit whose forget gate drops at a space or a closing bracket is resetting its memory there.",
        "zh": "暗的格子表示擦除：若某单元的遗忘门在空格或右括号处下降，说明它在那里重置了记忆。",
    },
    "gates.cap.candidate": {
        "en": "Red writes a positive value, blue a negative one; the input gate decides how much of it reaches the cell.",
        "zh": "红色表示写入正值，蓝色表示负值；写入多少由输入门决定。",
    },
    "gates.cap.candidate_gru": {
        "en": "The GRU's proposal for the new state; the update gate mixes it with the old state.",
        "zh": "GRU 对新状态的提议；更新门把它与旧状态混合。",
    },
    "gates.cap.output": {
        "en": "Where the output gate is dark the unit keeps its memory to itself; bright means the cell is exposed to the prediction.",
        "zh": "输出门暗的地方，单元把记忆藏在内部；亮的地方，记忆被输出用于预测。",
    },
    "gates.cap.update": {
        "en": "Bright rows hold on to their state across many characters: that is how a GRU remembers.",
        "zh": "亮的行在许多字符间保持状态不变：这就是 GRU 记忆的方式。",
    },
    "gates.cap.reset": {
        "en": "Dark cells are where the unit ignores its past to start a fresh candidate, often at word or bracket boundaries.",
        "zh": "暗的格子表示单元忽略过去、重新生成候选值，常出现在单词或括号边界处。",
    },
    "gates.cap.cell": {
        "en": "Long horizontal stripes are memories carried across characters, e.g. a unit that stays on while inside quotes; values beyond ±3 are drawn in the end colour (hover shows the exact number).",
        "zh": "长的水平条纹是跨越多个字符的记忆，例如在引号内一直保持开启的单元；超过 ±3 的值以端点颜色显示（悬停可看到精确数值）。",
    },
    "gates.cap.hidden": {
        "en": "H = O ⊙ tanh(C) for the LSTM: compare with the cell state above to see where the output gate hides or shows the memory.",
        "zh": "对 LSTM 而言 H = O ⊙ tanh(C)：与上方的记忆单元对比，看输出门在哪里隐藏或显示记忆。",
    },
    "gates.cap.hidden_rnn": {
        "en": "A vanilla RNN has no gates: this hidden state is all it has, and it is overwritten at every character.",
        "zh": "普通 RNN 没有门：它只有这个隐状态，而且每读一个字符都会被整体改写。",
    },
    "gates.cap.hidden_gru": {
        "en": "The GRU's only state: stripes that survive many characters are its memories.",
        "zh": "GRU 唯一的状态：能持续许多字符的条纹就是它的记忆。",
    },
    "gates.rnn_note": {
        "en": "This is a vanilla RNN: it has no gates, so only its hidden state is drawn.",
        "zh": "这是一个普通 RNN：它没有门，所以只绘制隐状态。",
    },
    "gates.short.input": {"en": "input gate I", "zh": "输入门 I"},
    "gates.short.forget": {"en": "forget gate F", "zh": "遗忘门 F"},
    "gates.short.candidate": {"en": "candidate C̃", "zh": "候选记忆 C̃"},
    "gates.short.candidate_gru": {"en": "candidate H̃", "zh": "候选隐状态 H̃"},
    "gates.short.output": {"en": "output gate O", "zh": "输出门 O"},
    "gates.short.update": {"en": "update gate Z", "zh": "更新门 Z"},
    "gates.short.reset": {"en": "reset gate R", "zh": "重置门 R"},
    "gates.short.cell": {"en": "cell state C", "zh": "记忆单元 C"},
    "gates.short.hidden": {"en": "hidden state H", "zh": "隐状态 H"},
    "gates.surprise_title": {
        "en": "Surprise: −log₂ p(next character), in bits",
        "zh": "意外度：−log₂ p(下一个字符)，单位为比特",
    },
    "gates.surprise_cap": {
        "en": "Dark columns are where the next character surprised the model (0 bits = certain, 6.7 bits = a blind guess among 100 characters); the last character has no next one.",
        "zh": "深色列表示下一个字符让模型感到意外（0 比特 = 完全确定，6.7 比特 ≈ 在 100 个字符中盲猜）；最后一个字符没有下一个字符。",
    },
    "gates.cursor_header": {"en": "Step {t}: after reading", "zh": "第 {t} 步：读完字符"},
    "gates.bars_title": {"en": "Every gate and state at this step", "zh": "这一步的所有门和状态"},
    "gates.bars_cap": {
        "en": "One bar per unit, in the same order as the heatmap rows: a vertical slice through the heatmaps at the cursor.",
        "zh": "每个单元一根柱子，顺序与热力图的行相同：相当于在游标处对热力图做一次竖切。",
    },
    "gates.topk_title": {"en": "What the model expects next", "zh": "模型预测的下一个字符"},
    "gates.topk_cap": {
        "en": "The five most likely next characters after this step, from softmax(H W_hq + b_q); ␣ is a space, ↵ a new line.",
        "zh": "这一步之后最可能出现的五个字符，来自 softmax(H W_hq + b_q)；␣ 表示空格，↵ 表示换行。",
    },
    "gates.actual_next": {
        "en": "Actually next: {char} (p = {p}, {bits} bits)",
        "zh": "实际的下一个字符：{char}（p = {p}，{bits} 比特）",
    },
    "gates.download": {"en": "Download the whole trace (CSV)", "zh": "下载完整轨迹（CSV）"},
    "gates.download_cap": {
        "en": "Tidy long format: one row per layer, quantity, step and unit (gates, pre-activations, cell and hidden states; surprise per step with unit −1).",
        "zh": "整齐的长表格式：每行对应一个层、量、时间步和单元（门、预激活、记忆单元和隐状态；每步的意外度记为单元 −1）。",
    },
    "gates.no_tokens": {
        "en": "None of these characters is in the model's vocabulary, so there is nothing to run.",
        "zh": "这些字符都不在模型的词表中，因此无法运行。",
    },
    # --- end gates page
    # --- one-step page (keys "step.*")
    "step.intro": {
        "en": "One cell update, with the real numbers in every equation. Pick a step of your sentence, or play with a tiny cell of 2 units and 3 inputs whose weights you can edit.",
        "zh": "一次细胞更新，每个公式都代入真实数值。选择句子中的某一步，或者玩一玩一个只有 2 个单元、3 个输入、权重可以手动修改的小细胞。",
    },
    "step.source": {"en": "Where the numbers come from", "zh": "数值来源"},
    "step.source.sentence": {"en": "a step of your sentence", "zh": "句子中的某一步"},
    "step.source.tiny": {"en": "the tiny hand-editable cell", "zh": "可手动编辑的小细胞"},
    "step.step": {"en": "Step t", "zh": "第 t 步"},
    "step.prev": {"en": "◀ Previous step", "zh": "◀ 上一步"},
    "step.next": {"en": "Next step ▶", "zh": "下一步 ▶"},
    "step.reads": {"en": "Step {t} of {n} reads the character", "zh": "第 {t} 步（共 {n} 步）读入字符"},
    "step.units": {"en": "Units shown in the equations", "zh": "公式中显示的单元"},
    "step.units_help": {
        "en": "The model has {h} units; the equations show a few of them (the full vectors are in the table below).",
        "zh": "该模型有 {h} 个单元；公式只显示其中几个（完整向量见下方表格）。",
    },
    "step.pick_units": {"en": "Pick at least one unit.", "zh": "请至少选择一个单元。"},
    "step.equations": {"en": "The equations, with the numbers", "zh": "公式与数值"},
    "step.equations_cap": {
        "en": "Each line is the textbook equation, then the same equation with this step's numbers for the units shown (vectors are rows, ⊙ is element-wise).",
        "zh": "每行先给出教科书中的公式，再代入这一步中所选单元的数值（向量为行向量，⊙ 表示逐元素相乘）。",
    },
    "step.matvec": {"en": "Inside the matrix products", "zh": "矩阵乘法的内部"},
    "step.matvec_gate": {"en": "Gate", "zh": "门"},
    "step.matvec_cap": {
        "en": "Row-vector convention: each entry of the vector (left) multiplies a row of the weight matrix, and the rows add up to the product (bottom).",
        "zh": "行向量约定：左侧向量的每个元素乘以权重矩阵的对应行，各行相加得到下方的乘积。",
    },
    "step.rows_note": {
        "en": "Showing the {k} rows that contribute most, of {d}; all the other rows together add {rest} to the product.",
        "zh": "显示贡献最大的 {k} 行（共 {d} 行）；其余各行合计为乘积贡献 {rest}。",
    },
    "step.onehot_note": {
        "en": "X is one-hot, so X W_x is simply the row of W_x for this character.",
        "zh": "X 是独热向量，所以 X W_x 就是 W_x 中该字符对应的那一行。",
    },
    "step.diagram": {"en": "The cell, coloured by its values", "zh": "按数值着色的细胞结构图"},
    "step.diagram_cap": {
        "en": "Wires carry vectors left to right; each box shows its values for the units shown and is coloured on the same fixed scales as the heatmaps (gates 0–1, tanh values −1 to 1).",
        "zh": "连线从左向右传递向量；每个方框显示所选单元的数值，颜色采用与热力图相同的固定范围（门 0–1，tanh 值 −1 到 1）。",
    },
    "step.table": {"en": "All the numbers, every unit", "zh": "全部数值，所有单元"},
    "step.table_cap": {
        "en": "Every quantity of this step for every unit: the three terms of each pre-activation, the activation and the new state.",
        "zh": "这一步所有单元的全部数值：每个预激活的三个组成项、激活值以及新状态。",
    },
    "step.code": {"en": "The engine code that computed this step", "zh": "计算这一步的引擎代码"},
    "step.code_cap": {
        "en": "This is the exact function the app ran (lstm_engine/cells.py); x_proj = X W_x + b is computed once for the whole sentence.",
        "zh": "这正是应用运行的函数（lstm_engine/cells.py）；x_proj = X W_x + b 对整句话一次性算好。",
    },
    "step.kind": {"en": "Cell kind", "zh": "细胞类型"},
    "step.preset": {"en": "Preset", "zh": "预设"},
    "step.preset.boss": {"en": "the boss raise story", "zh": "老板加薪的故事"},
    "step.preset.bias": {"en": "forget bias 0 vs 1", "zh": "遗忘门偏置 0 与 1 的对比"},
    "step.preset.random": {"en": "random small weights", "zh": "随机小权重"},
    "step.boss_story": {
        "en": "The story: the cell held an old belief about your salary, C = [0.7, 0.3]. Then the input x = [1, −1, 1] arrives: your boss gives you a raise. The weights are set so the forget gate closes (F ⊙ C ≈ [0, 0]: drop the old belief), the input gate opens and the candidate is ≈ [1, 1], so the new memory is C ≈ [1, 1].",
        "zh": "故事是这样的：记忆单元原本保存着对你薪水的旧看法 C = [0.7, 0.3]。接着输入 x = [1, −1, 1] 到来：老板给你加薪了。权重设置使遗忘门关闭（F ⊙ C ≈ [0, 0]：丢掉旧看法），输入门打开，候选值 ≈ [1, 1]，于是新的记忆 C ≈ [1, 1]。",
    },
    "step.bias_story": {
        "en": "A freshly initialised cell has small weights, so its forget gate sits near σ(b_f): 0.5 with bias 0 and 0.73 with bias 1. Over many steps the memory kept is the product of the forget gates, which is why LSTMs start with b_f = 1.",
        "zh": "刚初始化的细胞权重很小，所以遗忘门接近 σ(b_f)：偏置为 0 时约 0.5，偏置为 1 时约 0.73。许多步之后保留下来的记忆是各步遗忘门的乘积，这就是 LSTM 通常把 b_f 初始化为 1 的原因。",
    },
    "step.bias_compare": {
        "en": "Same cell, same input: forget gate F = {f0} with b_f = 0, and F = {f1} with b_f = 1.",
        "zh": "同一个细胞、同样的输入：b_f = 0 时遗忘门 F = {f0}；b_f = 1 时 F = {f1}。",
    },
    "step.bias_title": {"en": "Memory kept after k steps: ∏ F", "zh": "k 步之后保留的记忆：∏ F"},
    "step.bias_x": {"en": "steps k", "zh": "步数 k"},
    "step.bias_name": {"en": "forget bias b_f = {bias:g}", "zh": "遗忘门偏置 b_f = {bias:g}"},
    "step.bias_cap": {
        "en": "The share of the first cell state that survives k steps of random inputs (mean over the 2 units, log scale): with bias 1 it fades far more slowly.",
        "zh": "随机输入 k 步后，最初的记忆还剩多少（2 个单元的平均值，对数坐标）：偏置为 1 时衰减慢得多。",
    },
    "step.edit_weights": {
        "en": "Weights (edit any cell of the tables)",
        "zh": "权重（可直接编辑表格中的任意格）",
    },
    "step.edit_state": {"en": "Input and previous state", "zh": "输入与上一步的状态"},
    "step.edit_help": {
        "en": "Rows are the inputs x₁ x₂ x₃, the previous hidden state h₁ h₂ and the bias b; columns are the 2 units. Changes apply at once.",
        "zh": "行是输入 x₁ x₂ x₃、上一步隐状态 h₁ h₂ 和偏置 b；列是 2 个单元。修改立即生效。",
    },
    "step.reset": {"en": "Reset to the preset", "zh": "恢复预设"},
    "step.bad_number": {
        "en": "Some entries are not finite numbers; they were read as 0.",
        "zh": "部分输入不是有限的数字，已按 0 处理。",
    },
    "step.col.unit": {"en": "unit", "zh": "单元"},
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

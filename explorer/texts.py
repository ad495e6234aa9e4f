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
        "en": "A unit is active when its values change a lot while reading this sentence: the standard deviation over time of each of its gates and states, relative to the other units, averaged.",
        "zh": "单元的“活跃度”指它在读这句话时数值变化的大小：其各个门和状态随时间的标准差（相对于其他单元）的平均值。",
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
        "en": "Cell state C (the long-term memory; log-like colours from −100 to 100)",
        "zh": "记忆单元 C（长期记忆；颜色按类对数刻度，范围 −100 到 100）",
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
        "en": "Long horizontal stripes are memories carried across characters, e.g. a unit that stays on while inside quotes. C is not limited to [−1, 1] (trained cells count up to ±100), so colours follow asinh(C): 1, 10 and 100 are equal colour steps; hover shows the exact number.",
        "zh": "长的水平条纹是跨越多个字符的记忆，例如在引号内一直保持开启的单元。C 不限于 [−1, 1]（训练后的记忆单元可计数到 ±100），所以颜色按 asinh(C) 显示：1、10、100 之间颜色等距；悬停可看到精确数值。",
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
    "memory.intro": {
        "en": "Why does a vanilla RNN forget while an LSTM remembers? Training pushes the error signal "
        "backwards through time, one multiplication per step. Below you can watch that signal shrink, "
        "see how far back one changed character is still felt, and train each kind on memory tasks.",
        "zh": "为什么普通 RNN 会遗忘，而 LSTM 能记住？训练时误差信号沿时间反向传播，每经过一步就要乘一次。"
        "下面可以看到这个信号如何衰减、一个被改动的字符在多远之后仍有影响，并在记忆任务上训练各类模型。",
    },
    "memory.default_text": {
        "en": 'The LSTM keeps a "cell" (its memory) that the forget gate can hold open for a long time. ',
        "zh": 'The LSTM keeps a "cell" (its memory) that the forget gate can hold open for a long time. ',
    },
    "memory.grad_heading": {"en": "Vanishing gradients", "zh": "梯度消失"},
    "memory.weights": {"en": "Weights", "zh": "权重"},
    "memory.weights_trained": {"en": "trained (shipped or yours)", "zh": "已训练（内置或你的）"},
    "memory.weights_fresh": {"en": "freshly initialised", "zh": "刚初始化"},
    "memory.length": {"en": "Sequence length", "zh": "序列长度"},
    "memory.radius": {"en": "Recurrent spectral radius", "zh": "循环权重谱半径"},
    "memory.radius_help": {
        "en": "Every recurrent matrix W_h is rescaled so its largest eigenvalue has this size: below 1 "
        "gradients vanish faster, above 1 they can explode. Applies to fresh weights.",
        "zh": "每个循环矩阵 W_h 都被缩放，使其最大特征值的模等于该值：小于 1 时梯度消失更快，大于 1 时可能爆炸。"
        "仅作用于刚初始化的权重。",
    },
    "memory.forget_bias": {"en": "LSTM forget-gate bias b_f", "zh": "LSTM 遗忘门偏置 b_f"},
    "memory.models": {"en": "Models", "zh": "模型"},
    "memory.pick_a_model": {"en": "Pick at least one model.", "zh": "请至少选择一个模型。"},
    "memory.too_short": {"en": "Cannot compute gradients: {why}", "zh": "无法计算梯度：{why}"},
    "memory.hover_grad": {
        "en": "distance %{x}<br>relative %{y:.2e}<br>‖∂L/∂·‖ = %{customdata:.2e}",
        "zh": "距离 %{x}<br>相对值 %{y:.2e}<br>‖∂L/∂·‖ = %{customdata:.2e}",
    },
    "memory.cell_label": {"en": "{label} cell", "zh": "{label} 细胞通路"},
    "memory.below_marker": {"en": "{label} below 1% at {d}", "zh": "{label} 在 {d} 处低于 1%"},
    "memory.below_hover": {
        "en": "{label}: below 1% of its last-step value {d} steps back",
        "zh": "{label}：在向前 {d} 步处低于末步值的 1%",
    },
    "memory.axis_distance": {"en": "steps back from the end (t = T−1−d)", "zh": "距末尾的步数（t = T−1−d）"},
    "memory.axis_relative_grad": {
        "en": "‖∂L/∂h_t‖ ÷ its value at the last step",
        "zh": "‖∂L/∂h_t‖ ÷ 末步的值",
    },
    "memory.grad_caption": {
        "en": "How strongly the loss on the last of {n} characters still reaches each earlier step (your sentence "
        "is repeated to fill the length; the dashed line is the LSTM's cell path): the steeper a line falls, "
        "the faster that model forgets.",
        "zh": "最后一个字符（共 {n} 个字符）的损失对更早各步还有多大影响（你的句子会被重复以达到设定长度；"
        "虚线是 LSTM 的细胞通路）：线下降得越陡，该模型遗忘得越快。",
    },
    "memory.decay": {
        "en": "; far from the end it shrinks ×{r:.3f} per step",
        "zh": "；远离末尾时每步乘以 {r:.3f}",
    },
    "memory.growth": {
        "en": "; far from the end it grows ×{r:.3f} per step (exploding)",
        "zh": "；远离末尾时每步乘以 {r:.3f}（梯度爆炸）",
    },
    "memory.below_line": {
        "en": "{label}: below 1% after {d} steps back",
        "zh": "{label}：向前 {d} 步后低于 1%",
    },
    "memory.never_below": {
        "en": "{label}: never below 1% within {n} steps",
        "zh": "{label}：在 {n} 步内从未低于 1%",
    },
    "memory.grad_zero": {
        "en": "{label}: the gradient at the last step is exactly 0 (its units are saturated or it is "
        "certain of the answer), so nothing flows back and there is no curve to draw",
        "zh": "{label}：最后一步的梯度恰好为 0（单元已饱和，或模型对答案完全确定），没有梯度向前传播，因此无曲线可画",
    },
    "memory.grad_overflow": {
        "en": "; at {d} steps back it grew too large for floating-point numbers (exploding gradients), "
        "so the curve stops there",
        "zh": "；向前 {d} 步时梯度大到浮点数无法表示（梯度爆炸），曲线在此处截止",
    },
    "memory.div_heading": {"en": "How far back does it remember?", "zh": "它能记住多久以前的内容？"},
    "memory.div_intro": {
        "en": "Change only the first character and run both versions: the distance between the two hidden "
        "states shows how long that first character still matters.",
        "zh": "只改动第一个字符并分别运行两个版本：两个隐藏状态之间的距离表明第一个字符的影响能持续多久。",
    },
    "memory.swap": {"en": "Replace the first character with", "zh": "把第一个字符替换为"},
    "memory.same_char": {
        "en": "That is already the first character: pick a different one.",
        "zh": "这已经是第一个字符了：请换一个不同的字符。",
    },
    "memory.div_pair": {"en": "{a}  →  {b}", "zh": "{a}  →  {b}"},
    "memory.axis_step": {"en": "step t", "zh": "步 t"},
    "memory.axis_dh": {"en": "‖Δh_t‖", "zh": "‖Δh_t‖"},
    "memory.hover_div": {
        "en": "t = %{x} (%{customdata})<br>‖Δh‖ = %{y:.2e}",
        "zh": "t = %{x}（%{customdata}）<br>‖Δh‖ = %{y:.2e}",
    },
    "memory.div_caption": {
        "en": "‖Δh_t‖ on a log scale: a line that keeps falling means the model is forgetting its first "
        "character; a line that levels off means it still carries it.",
        "zh": "对数坐标下的 ‖Δh_t‖：一直下降的线说明模型在遗忘第一个字符；趋于平稳的线说明它仍记得。",
    },
    "memory.lag_heading": {"en": "Memory over lag", "zh": "记忆与时间间隔"},
    "memory.lag_intro": {
        "en": "Two synthetic tasks need a memory of exactly known length: recall a symbol seen *lag* steps "
        "earlier, or add two marked numbers that lie *lag* steps apart. Each point is a model trained "
        "from scratch on that lag.",
        "zh": "两个合成任务需要确切长度的记忆：回忆 *lag* 步之前出现的符号，或把相隔 *lag* 步的两个标记数字相加。"
        "每个点都是在该间隔上从零训练的模型。",
    },
    "memory.no_results": {
        "en": "No shipped memory results to show ({why}).",
        "zh": "没有可显示的内置记忆实验结果（{why}）。",
    },
    "memory.task_recall": {"en": "Delayed recall", "zh": "延迟回忆"},
    "memory.task_adding": {"en": "Adding problem", "zh": "加法问题"},
    "memory.acc_caption_recall": {
        "en": "Accuracy at recalling the symbol seen lag steps earlier, mean over seeds with the worst and best "
        "seed as bars (dashed: guessing): watch which kinds fall to chance as the lag grows, and what a "
        "forget-gate bias of 5 changes.",
        "zh": "回忆 lag 步之前符号的准确率，取各随机种子的平均，误差棒为最差与最好的种子（虚线：随机猜测）："
        "看随着间隔增大哪些模型跌到随机水平，以及遗忘门偏置设为 5 带来的变化。",
    },
    "memory.acc_caption_adding": {
        "en": "Share of sums predicted within 0.04 on the adding problem (dashed: always answering the mean): "
        "longer lags separate the kinds.",
        "zh": "加法问题中误差在 0.04 以内的预测比例（虚线：总是回答平均值）：间隔越长，各类模型差距越明显。",
    },
    "memory.hover_acc": {
        "en": "lag %{x}<br>accuracy %{y:.2f} (mean of %{customdata} runs)",
        "zh": "间隔 %{x}<br>准确率 %{y:.2f}（%{customdata} 次运行的平均）",
    },
    "memory.chance": {"en": "chance", "zh": "随机水平"},
    "memory.axis_lag": {"en": "lag (steps to remember)", "zh": "间隔（需要记住的步数）"},
    "memory.axis_accuracy": {"en": "accuracy", "zh": "准确率"},
    "memory.live_heading": {"en": "Train it now", "zh": "现在就训练"},
    "memory.live_intro": {
        "en": "Train one kind on one lag yourself. Try the LSTM on delayed recall at lag 50 with forget-gate "
        "bias 1, then with bias 5.",
        "zh": "亲自在某个间隔上训练一种模型。试试让 LSTM 在间隔 50 的延迟回忆任务上用遗忘门偏置 1 训练，再用偏置 5 训练。",
    },
    "memory.task": {"en": "Task", "zh": "任务"},
    "memory.kind": {"en": "Kind", "zh": "类型"},
    "memory.lag": {"en": "Lag", "zh": "间隔"},
    "memory.task_bias": {"en": "Forget-gate bias (LSTM)", "zh": "遗忘门偏置（LSTM）"},
    "memory.task_steps": {"en": "Training steps", "zh": "训练步数"},
    "memory.train_now": {"en": "Train it now", "zh": "现在训练"},
    "memory.stop": {"en": "Stop", "zh": "停止"},
    "memory.job_line": {
        "en": "{kind} on {task}, lag {lag}, forget-gate bias {bias:g}",
        "zh": "{kind}，{task}，间隔 {lag}，遗忘门偏置 {bias:g}",
    },
    "memory.status_running": {"en": "Step {step} of {steps}", "zh": "第 {step} / {steps} 步"},
    "memory.status_done": {"en": "Done: {step} of {steps} steps", "zh": "完成：{step} / {steps} 步"},
    "memory.status_stopped": {
        "en": "Stopped after {step} of {steps} steps",
        "zh": "已在第 {step} / {steps} 步停止",
    },
    "memory.status_failed": {"en": "Failed at step {step} of {steps}", "zh": "在第 {step} / {steps} 步失败"},
    "memory.axis_task_loss": {
        "en": "training loss (recall: cross-entropy, adding: squared error)",
        "zh": "训练损失（回忆：交叉熵；加法：平方误差）",
    },
    "memory.live_loss_caption": {
        "en": "The training loss per step: a curve stuck at its starting level means the model has not "
        "found the long-range link.",
        "zh": "每一步的训练损失：如果曲线停在起始水平，说明模型还没有找到长距离的联系。",
    },
    "memory.result": {
        "en": "Accuracy {acc:.0%} (chance {chance:.0%}) after {steps} steps in {seconds:.1f} s.",
        "zh": "训练 {steps} 步（用时 {seconds:.1f} 秒）后准确率为 {acc:.0%}（随机水平 {chance:.0%}）。",
    },
    # --- end memory page
    # --- train page (keys "train.*")
    "train.intro": {
        "en": "Train a small character model right here, on the Python language reference that ships with "
        "every Python install or on a .txt file of your own. Watch the loss fall, read what it writes, "
        "then open your model on any other page of this session.",
        "zh": "就在这里训练一个小型字符级模型：语料可以是每个 Python 安装都自带的 Python 语言参考文本，"
        "也可以是你自己的 .txt 文件。观察损失下降，读一读它写出的文字，然后在本会话的任何页面中打开你的模型。",
    },
    "train.kind": {"en": "Kind", "zh": "类型"},
    "train.hidden": {"en": "Hidden units per layer", "zh": "每层隐藏单元数"},
    "train.layers": {"en": "Layers", "zh": "层数"},
    "train.steps": {"en": "Training steps", "zh": "训练步数"},
    "train.lr": {"en": "Learning rate (Adam)", "zh": "学习率（Adam）"},
    "train.clip": {"en": "Gradient clipping (global norm)", "zh": "梯度裁剪（全局范数）"},
    "train.clip_help": {
        "en": "Gradients whose global norm is above this are scaled down to it; 0 turns clipping off.",
        "zh": "全局范数超过该值的梯度会被缩放到该值；0 表示关闭裁剪。",
    },
    "train.sample_every": {
        "en": "Show a sample every N steps (0 = never)",
        "zh": "每 N 步生成一段样例（0 = 不生成）",
    },
    "train.corpus": {"en": "Training text", "zh": "训练文本"},
    "train.corpus_default": {
        "en": "Python language reference (~465 kB)",
        "zh": "Python 语言参考（约 465 kB）",
    },
    "train.corpus_upload": {"en": "My own .txt file", "zh": "我自己的 .txt 文件"},
    "train.upload_txt": {
        "en": "Upload a UTF-8 .txt file (up to 2 MB)",
        "zh": "上传 UTF-8 编码的 .txt 文件（最大 2 MB）",
    },
    "train.need_upload": {
        "en": "Upload a .txt file first, or choose the default text.",
        "zh": "请先上传 .txt 文件，或选择默认文本。",
    },
    "train.too_large": {"en": "the file is larger than {mb:.0f} MB", "zh": "文件超过 {mb:.0f} MB"},
    "train.txt_rejected": {
        "en": "This file cannot be used for training: {why}",
        "zh": "该文件无法用于训练：{why}",
    },
    "train.bad_text": {"en": "Training could not start: {why}", "zh": "无法开始训练：{why}"},
    "train.start": {"en": "Train", "zh": "开始训练"},
    "train.stop": {"en": "Stop", "zh": "停止"},
    "train.run_heading": {"en": "Your {label}", "zh": "你的 {label}"},
    "train.progress": {
        "en": "Step {step} of {steps} · about {eta:.0f} s left",
        "zh": "第 {step} / {steps} 步 · 约剩 {eta:.0f} 秒",
    },
    "train.status_running": {"en": "Step {step} of {steps}", "zh": "第 {step} / {steps} 步"},
    "train.status_done": {"en": "Done: {step} of {steps} steps", "zh": "完成：{step} / {steps} 步"},
    "train.status_stopped": {
        "en": "Stopped after {step} of {steps} steps",
        "zh": "已在第 {step} / {steps} 步停止",
    },
    "train.status_diverged": {
        "en": "Training failed at step {step} of {steps}",
        "zh": "训练在第 {step} / {steps} 步失败",
    },
    "train.diverged_loss": {
        "en": "Training diverged at step {step}: the loss became {value}. Try a lower learning rate or turn on gradient clipping.",
        "zh": "训练在第 {step} 步发散：损失变成了 {value}。请降低学习率，或打开梯度裁剪。",
    },
    "train.diverged_gradients": {
        "en": "Training diverged at step {step}: the gradients became infinite or NaN. Try a lower learning rate or turn on gradient clipping.",
        "zh": "训练在第 {step} 步发散：梯度变成了无穷大或 NaN。请降低学习率，或打开梯度裁剪。",
    },
    "train.diverged_exploded": {
        "en": "Training diverged at step {step}: the loss exploded to {value:.1f} bits/char, far worse "
        "than guessing uniformly. Try a lower learning rate or turn on gradient clipping.",
        "zh": "训练在第 {step} 步发散：损失暴涨到每字符 {value:.1f} 比特，比均匀瞎猜还差得多。请降低学习率，或打开梯度裁剪。",
    },
    "train.diverged_weights": {
        "en": "Training diverged at step {step}: the weights became infinite or NaN. Try a lower learning rate or turn on gradient clipping.",
        "zh": "训练在第 {step} 步发散：权重变成了无穷大或 NaN。请降低学习率，或打开梯度裁剪。",
    },
    "train.legend_train": {"en": "training loss", "zh": "训练损失"},
    "train.legend_val": {"en": "validation loss", "zh": "验证损失"},
    "train.axis_step": {"en": "step", "zh": "步数"},
    "train.axis_loss": {"en": "loss (nats per character)", "zh": "损失（每字符奈特）"},
    "train.axis_loss_bits": {"en": "loss (bits per character)", "zh": "损失（每字符比特）"},
    "train.loss_caption": {
        "en": "Bits per character on the training batches (blue) and on held-out text (orange): when the "
        "orange line stops falling, more steps no longer help.",
        "zh": "训练批次（蓝色）与留出文本（橙色）上的每字符比特数：橙线不再下降时，继续训练就没有帮助了。",
    },
    "train.sample_caption": {
        "en": "What the model writes at step {step}, starting from the first character of the text.",
        "zh": "模型在第 {step} 步写出的文字，从文本的第一个字符开始生成。",
    },
    "train.model_name": {"en": "My {label} ({steps} steps)", "zh": "我的 {label}（{steps} 步）"},
    "train.registered": {
        "en": "“{name}” is now in the model picker of every page (for this session only).",
        "zh": "“{name}”已加入每个页面的模型选择器（仅限本次会话）。",
    },
    "train.download": {"en": "Download the model (.npz)", "zh": "下载模型（.npz）"},
    "train.upload_heading": {"en": "Open a model file", "zh": "打开模型文件"},
    "train.upload_intro": {
        "en": "Upload a .npz saved by this app (or by `python -m lstm_engine.train`). Every array is "
        "checked before use; nothing in the file is executed.",
        "zh": "上传由本应用（或 `python -m lstm_engine.train`）保存的 .npz 文件。每个数组在使用前都会被检查；"
        "文件中的任何内容都不会被执行。",
    },
    "train.upload_npz": {"en": "Model file (.npz)", "zh": "模型文件（.npz）"},
    "train.npz_rejected": {"en": "This model file was rejected: {why}", "zh": "该模型文件被拒绝：{why}"},
    "train.session_models": {
        "en": "Your models in this session: {names}",
        "zh": "本次会话中你的模型：{names}",
    },
    # --- end train page
    # --- cells page (keys "cells.*")
    "cells.intro": {
        "en": "Some units of a trained character model turn out to track something a person can name: whether "
        "we are inside a quote, how deep inside brackets, where a word or a line begins (Karpathy, Johnson & "
        "Fei-Fei 2015). Here you can look for them in any model of this session.",
        "zh": "训练好的字符级模型中，有些单元追踪的是人能叫得出名字的东西：是否在引号内、括号嵌套有多深、"
        "单词或行从哪里开始（Karpathy、Johnson 与 Fei-Fei，2015）。你可以在本会话的任何模型中寻找它们。",
    },
    "cells.text": {
        "en": "Text to read (English works best: the shipped models learnt English)",
        "zh": "要读取的文本（英文效果最好：内置模型学的是英文）",
    },
    "cells.default_text": {
        "en": 'The "with" statement is used to wrap the execution of a block with\nmethods defined by a context manager (see section With Statement\nContext Managers). This allows common "try"..."except"..."finally"\nusage patterns to be encapsulated for convenient reuse.\n\n   with_stmt ::= "with" ( "(" with_stmt_contents ","? ")" | with_stmt_contents ) ":" suite\n\nThe execution of the "with" statement with one "item" proceeds as\nfollows:\n\n1. The context expression (the expression given in the "with_item")\n   is evaluated to obtain a context manager.\n\n2. The context manager\'s "__enter__()" is loaded for later use, and\n   its "__exit__()" is called (with the exception, if any) at the end.\n',
        "zh": 'The "with" statement is used to wrap the execution of a block with\nmethods defined by a context manager (see section With Statement\nContext Managers). This allows common "try"..."except"..."finally"\nusage patterns to be encapsulated for convenient reuse.\n\n   with_stmt ::= "with" ( "(" with_stmt_contents ","? ")" | with_stmt_contents ) ":" suite\n\nThe execution of the "with" statement with one "item" proceeds as\nfollows:\n\n1. The context expression (the expression given in the "with_item")\n   is evaluated to obtain a context manager.\n\n2. The context manager\'s "__enter__()" is loaded for later use, and\n   its "__exit__()" is called (with the exception, if any) at the end.\n',
    },
    "cells.model_line": {"en": "{model} · reading {n} characters", "zh": "{model} · 读取 {n} 个字符"},
    "cells.sat_heading": {"en": "Gate saturation", "zh": "门的饱和"},
    "cells.sat_intro": {
        "en": "For every unit: how often is its gate almost shut (below 0.1) and how often almost fully open "
        "(above 0.9) while reading the text?",
        "zh": "对每个单元统计：读取文本时，它的门有多少时候几乎关闭（低于 0.1），又有多少时候几乎全开（高于 0.9）？",
    },
    "cells.no_gates": {
        "en": "A vanilla RNN has no gates, so there is nothing to saturate: pick an LSTM or a GRU.",
        "zh": "普通 RNN 没有门，也就无所谓饱和：请选择 LSTM 或 GRU。",
    },
    "cells.gate_input": {"en": "input gate", "zh": "输入门"},
    "cells.gate_forget": {"en": "forget gate", "zh": "遗忘门"},
    "cells.gate_output": {"en": "output gate", "zh": "输出门"},
    "cells.gate_update": {"en": "update gate", "zh": "更新门"},
    "cells.gate_reset": {"en": "reset gate", "zh": "重置门"},
    "cells.axis_low": {"en": "fraction < 0.1 (shut)", "zh": "< 0.1 的比例（关闭）"},
    "cells.axis_high": {"en": "fraction > 0.9 (open)", "zh": "> 0.9 的比例（打开）"},
    "cells.hover_sat": {
        "en": "unit %{customdata}<br>shut %{x:.0%} · open %{y:.0%}",
        "zh": "单元 %{customdata}<br>关闭 %{x:.0%} · 打开 %{y:.0%}",
    },
    "cells.sat_caption": {
        "en": "Each dot is one unit: dots high on the left edge are forget gates that stay open and carry "
        "information across many steps, dots near the dotted diagonal switch between shut and open.",
        "zh": "每个点是一个单元：左边缘上方的点是一直打开、能把信息带过许多步的门，靠近虚线对角线的点则在关闭与打开之间切换。",
    },
    "cells.finder_heading": {"en": "Unit finder", "zh": "单元查找器"},
    "cells.finder_intro": {
        "en": "Choose a pattern; every unit is ranked by how strongly its state correlates with it over the text.",
        "zh": "选择一种模式；每个单元按其状态在整段文本上与该模式的相关程度排序。",
    },
    "cells.pattern": {"en": "Pattern", "zh": "模式"},
    "cells.pattern_quotes": {"en": "inside quotes", "zh": "在引号内"},
    "cells.pattern_parens": {"en": "bracket depth", "zh": "括号深度"},
    "cells.pattern_word_position": {"en": "position in word", "zh": "词内位置"},
    "cells.pattern_line_start": {"en": "start of line", "zh": "行首"},
    "cells.pattern_span": {"en": "a span I mark", "zh": "我标记的片段"},
    "cells.state": {"en": "State", "zh": "状态"},
    "cells.state_h": {"en": "hidden h", "zh": "隐藏状态 h"},
    "cells.state_c": {"en": "cell c", "zh": "细胞状态 c"},
    "cells.top_k": {"en": "Units to show", "zh": "显示的单元数"},
    "cells.span": {"en": "Marked span (character positions)", "zh": "标记的片段（字符位置）"},
    "cells.span_shows": {"en": "Marked: {text}", "zh": "已标记：{text}"},
    "cells.constant_signal": {
        "en": "This pattern never changes in this text (e.g. no quotes or brackets, or an empty span), so no unit "
        "can follow it: pick another pattern or add some text.",
        "zh": "该模式在这段文本中从不变化（例如没有引号或括号，或标记为空），所以没有单元能跟随它：请换一种模式或补充文本。",
    },
    "cells.signal": {"en": "pattern", "zh": "模式"},
    "cells.unit_label": {"en": "unit {unit} (r = {r:+.2f})", "zh": "单元 {unit}（r = {r:+.2f}）"},
    "cells.top_caption": {
        "en": "Top: the pattern, character by character; below: the units that follow it best (red = negative, "
        "blue = positive), labelled with their correlation r.",
        "zh": "上方：逐字符的模式；下方：最能跟随该模式的单元（红色为负，蓝色为正），标注了相关系数 r。",
    },
    "cells.unit_pick": {"en": "Read the text through one unit", "zh": "通过一个单元阅读文本"},
    "cells.text_title": {
        "en": "unit {unit}, state {path}, r = {r:+.2f}",
        "zh": "单元 {unit}，状态 {path}，r = {r:+.2f}",
    },
    "cells.text_caption": {
        "en": "Each character is coloured by this unit's value right after reading it (blue positive, red "
        "negative): a quote cell changes colour between the quotes.",
        "zh": "每个字符按该单元读完它之后的值着色（蓝色为正，红色为负）：引号单元在引号之间会变色。",
    },
    "cells.whatif_heading": {"en": "What if?", "zh": "如果……会怎样？"},
    "cells.whatif_intro": {
        "en": "Edit the sentence and see which units change, and from which character on. Characters before "
        "and after your edit are matched with the same characters of the original.",
        "zh": "编辑句子，看看哪些单元发生变化、从哪个字符开始变化。编辑处前后的字符与原句中相同的字符对应比较。",
    },
    "cells.original": {"en": "Original", "zh": "原句"},
    "cells.edited": {"en": "Edited", "zh": "修改后"},
    "cells.original_default": {
        "en": 'He said "yes" (twice) and left.',
        "zh": 'He said "yes" (twice) and left.',
    },
    "cells.edited_default": {"en": 'He said "yes (twice) and left.', "zh": 'He said "yes (twice) and left.'},
    "cells.no_change": {
        "en": "The two texts are the same, so nothing changes.",
        "zh": "两段文本相同，所以没有任何变化。",
    },
    "cells.axis_edited_text": {"en": "edited text", "zh": "修改后的文本"},
    "cells.axis_unit": {"en": "unit", "zh": "单元"},
    "cells.hover_delta": {
        "en": "unit %{y}, %{customdata}: {name} = %{z:.3f}",
        "zh": "单元 %{y}，%{customdata}：{name} = %{z:.3f}",
    },
    "cells.delta_caption_c": {
        "en": "Δc = edited − original for every cell (rows) after each character (dotted lines: edited "
        "characters): rows that stay coloured long after the edit are the cells that remember it.",
        "zh": "每个细胞（行）在每个字符之后的 Δc = 修改后 − 原句（虚线：被修改的字符）：编辑之后很久仍有颜色的行，就是记住了它的细胞。",
    },
    "cells.delta_caption_h": {
        "en": "Δh = edited − original for every unit: what the rest of the network (and the next-character "
        "prediction) actually sees change.",
        "zh": "每个单元的 Δh = 修改后 − 原句：这是网络其余部分（以及下一个字符的预测）真正看到的变化。",
    },
    # --- end cells page
}


def t(key: str, lang: str = "en", **fmt: object) -> str:
    """The string for `key` in `lang` (English if untranslated), formatted with `fmt`."""
    entry = STRINGS[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**fmt) if fmt else text

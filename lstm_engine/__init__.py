"""lstm_engine: a NumPy LSTM / GRU / RNN character model that keeps every intermediate value.

Imports only NumPy and the standard library. Public API (docs/design.md):
`load_model(path) -> Model`, `Model.save(path)`, `Model.run(text) -> Trace`,
`Model.loss_and_grads(text)`, `Model.gradient_norms(text)`.
"""

from .core.errors import CodedError, TextTooShort
from .core.gates import GATE_NAMES, GATE_TABLE, KINDS, SUFFIXES, Gate
from .core.init import ModelConfig, init_model, set_recurrent_radius, spectral_radius
from .core.model import BlankProbs, GradientNorms, LayerTrace, Model, Trace
from .core.modelio import (
    FORMAT,
    ModelFormatError,
    from_torch_state_dict,
    load_model,
    model_to_bytes,
    save_model,
)
from .core.torchfile import load_safetensors
from .core.vocab import UNK, Encoded, Vocab

__all__ = [
    "FORMAT",
    "GATE_NAMES",
    "GATE_TABLE",
    "KINDS",
    "SUFFIXES",
    "UNK",
    "BlankProbs",
    "CodedError",
    "Encoded",
    "Gate",
    "GradientNorms",
    "LayerTrace",
    "Model",
    "ModelConfig",
    "ModelFormatError",
    "TextTooShort",
    "Trace",
    "Vocab",
    "from_torch_state_dict",
    "init_model",
    "load_safetensors",
    "load_model",
    "model_to_bytes",
    "save_model",
    "set_recurrent_radius",
    "spectral_radius",
]

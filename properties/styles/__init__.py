"""Adapters for code written in other styles than nnconform's contract, chosen by
`--style` (docs/styles.md). Each style module defines the contract's functions on top of
the user's own (`@needs` names the user functions each one calls), and declares the
style's documented domain and conventions in its SUPPORT and CONVENTIONS."""

from __future__ import annotations

import importlib

STYLES = {
    "contract": "nnconform's own names and signatures (docs/contract.md)",
    "cs231n": "the CS231n assignment API: out, cache = affine_forward(x, w, b), ...",
    "functional": "torch.nn.functional's names and signatures on tensors, autograd backward",
    "layers": "layer classes with forward/backward methods (Affine, Relu, Convolution, ...)",
}
DEFAULT_STYLE = "contract"


def style_module(style: str):
    """The adapter module of `style` (None for the contract itself); ValueError if unknown."""
    if style not in STYLES:
        raise ValueError(f"--style {style}: unknown style; expected one of "
                         f"{', '.join(STYLES)}")
    if style == DEFAULT_STYLE:
        return None
    return importlib.import_module(f"nnconform.properties.styles.{style}")

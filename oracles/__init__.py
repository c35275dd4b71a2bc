"""The oracles: independent sources of truth that the property suite checks against.

Each oracle is written without looking at, and never imports, the implementation under
test (``impl/``) or the suite (``properties/``): an oracle that called the implementation
would check nothing.

- ``oracles.torch``: PyTorch in float64. ``forward(name, arrays, hyper)`` runs the op as
  ``torch.nn.functional`` / torch ops compute it, ``vjp(name, arrays, hyper, dy, wrt)``
  takes the gradients of ``<dy, y>`` from ``torch.autograd``. ``SUPPORTED`` lists the ops
  it covers.
- ``oracles.numeric``: two-sided finite differences in float64 and the notes' relative
  error ``‖a - b‖₂ / (‖a‖₂ + ‖b‖₂) < 1e-7`` [003]. It knows no op: it differences whatever
  forward function it is handed.
- ``oracles.closed_form``: the formulas of the study notes ([000]..[004]), transcribed
  directly in NumPy float64: ``FORWARD`` and ``BACKWARD`` tables, plus the notes' named
  claims (σ'(0) = 1/4 is the maximum, softmax Jacobian diag(p) - ppᵀ, tanh as a shifted
  and scaled sigmoid, stacked linear layers are one linear layer, L2 penalty == weight
  decay). Textbook forms, valid on moderate inputs (|x| <= 30).
"""

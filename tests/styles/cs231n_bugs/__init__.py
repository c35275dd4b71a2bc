"""One-bug variants of the CS231n assignment (tests/styles/cs231n/), run with
`nnconform check --style cs231n --impl tests/styles/cs231n_bugs/NAME.py`.

Each module imports the correct assignment (`from cs231n.layers import *`, or rnn_layers,
or optim), overrides the one function it breaks, and says which contract op that breaks
(OP) and which report columns must fail for it (CAUGHT_BY). tests/test_style_cs231n.py
runs them all.
"""

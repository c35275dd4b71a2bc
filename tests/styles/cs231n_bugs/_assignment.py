"""Imported first by every bug file here: puts tests/styles, the folder of the correct
`cs231n` package, on sys.path, so `from cs231n.layers import *` finds it. (`nnconform check
--impl tests/styles/cs231n_bugs/NAME.py` makes this file's own folder importable, as
running a script there would.)"""

import sys
from pathlib import Path

STYLES = str(Path(__file__).resolve().parent.parent)
if STYLES not in sys.path:
    sys.path.insert(0, STYLES)

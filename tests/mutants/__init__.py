"""Mutants: copies of one op each with one realistic bug. The suite must catch every one.

Each module starts from the reference implementation (`from impl import *`), replaces one
op, and says which op it breaks (OP) and which kinds of check must report it (CAUGHT_BY).
"""

"""Pooling (CATALOG section 2): max, average and Lp pooling over NCHW windows."""

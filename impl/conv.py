"""Convolution (CATALOG section 2): conv2d, flatten and the residual block."""

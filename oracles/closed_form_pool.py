"""The closed-form oracle for pooling [000][003][004]: max, average and Lp pooling written
as loops over windows, in NumPy float64, independent of any implementation."""

FORWARD: dict = {}
BACKWARD: dict = {}

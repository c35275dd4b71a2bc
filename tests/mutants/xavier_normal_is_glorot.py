"""xavier_normal scales by Glorot's √(2/(fan_in + fan_out)), as torch's xavier_normal_,
where the notes' Xavier (and this table's) is √(1/fan_in): a misreading of the name."""
from nnconform import impl
from nnconform.impl import *  # noqa: F403

OP, CAUGHT_BY = "xavier_normal", ("forward", "closed_form")
CONVENTION = "glorot"  # a misreading: undeclared, it fails and says so

xavier_normal_forward = impl.glorot_normal_forward

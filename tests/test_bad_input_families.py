"""Bad arguments to the activations, losses, linear layer, classic learning rules, gradient
descent, networks, data and metrics, initialisers, schedules and every optimizer fail at
the call, with the error type and the name of the argument the contract promises
(tests/test_bad_input.py does the same for convolution, pooling and the other layers)."""

import numpy as np
import pytest
from conftest import assert_rejected_by_name

from nnconform import impl

ROWS = np.zeros((2, 3))  # (N, C)
VECTOR = np.zeros(3)
SCALAR = np.zeros(())
ONE = np.ones(())
CLASSES = np.array([0, 2])  # one class index per row of ROWS
RNG = np.random.default_rng(0)

# the classic rules and gradient descent: two patterns of three inputs
PATTERN = np.ones(3)
LABELS = np.ones(2)

# a 2-3-1 network on four examples
X4, W1, B1, W2, B2, T4 = (np.zeros(s) for s in ((4, 2), (3, 2), (3,), (1, 3), (1,), (4, 1)))


def _mlp(**change):
    arrays = {"x": X4, "w1": W1, "b1": B1, "w2": W2, "b2": B2, "target": T4}
    hyper = {key: change.pop(key) for key in ("activation", "lam") if key in change}
    return impl.mlp_forward(*{**arrays, **change}.values(), **hyper)


def _perceptron(w=PATTERN, h=SCALAR, x=PATTERN, r=ONE, **hyper):
    return impl.perceptron_step_forward(w, h, x, r, **hyper)


def _logistic(w=VECTOR, b=SCALAR, x=ROWS, y=LABELS, **hyper):
    return impl.logistic_regression_step_forward(w, b, x, y, **hyper)


def _mini_batches(x=ROWS, y=LABELS, order=None, **hyper):
    return impl.mini_batches_forward(x, y, order, **hyper)


BAD = {
    # --- activations
    "sigmoid of a list": (lambda: impl.sigmoid_forward([1.0]), TypeError, "x"),
    "leaky_relu slope as text": (
        lambda: impl.leaky_relu_forward(VECTOR, negative_slope="0.1"), TypeError,
        "negative_slope"),
    "prelu slopes for other channels": (
        lambda: impl.prelu_forward(ROWS, np.ones(2)), ValueError, "a"),
    "prelu slopes as a matrix": (lambda: impl.prelu_forward(ROWS, np.ones((3, 1))),
                                 ValueError, "a"),
    "prelu slopes of another dtype": (
        lambda: impl.prelu_forward(ROWS, np.ones(1, np.float32)), TypeError, "a"),
    "softmax axis past the last": (lambda: impl.softmax_forward(ROWS, axis=2), ValueError,
                                   "axis"),
    "softmax axis before the first": (lambda: impl.softmax_forward(ROWS, axis=-3),
                                      ValueError, "axis"),
    "softmax axis as a float": (lambda: impl.softmax_forward(ROWS, axis=1.0), TypeError,
                                "axis"),
    "softmax of a 0-d array": (lambda: impl.softmax_forward(SCALAR), ValueError, "x"),
    "log_softmax axis out of range": (lambda: impl.log_softmax_forward(VECTOR, axis=1),
                                      ValueError, "axis"),
    "log_softmax axis as text": (lambda: impl.log_softmax_forward(VECTOR, axis="last"),
                                 TypeError, "axis"),
    "maxout pieces 0": (lambda: impl.maxout_forward(ROWS, pieces=0), ValueError, "pieces"),
    "maxout pieces as a float": (lambda: impl.maxout_forward(ROWS, pieces=1.5), TypeError,
                                 "pieces"),
    "maxout pieces that do not divide the last axis": (
        lambda: impl.maxout_forward(ROWS, pieces=2), ValueError, "x"),
    "maxout of a 0-d array": (lambda: impl.maxout_forward(SCALAR), ValueError, "x"),
    # --- losses
    "mse target of another shape": (lambda: impl.mse_forward(ROWS, ROWS.T), ValueError,
                                    "target"),
    "mse reduction by name unknown": (
        lambda: impl.mse_forward(ROWS, ROWS, reduction="avg"), ValueError, "reduction"),
    "bce probabilities over 1": (
        lambda: impl.binary_cross_entropy_forward(ROWS + 2, ROWS), ValueError, "pred"),
    "bce target of another shape": (
        lambda: impl.binary_cross_entropy_forward(ROWS, VECTOR), ValueError, "target"),
    "bce with the reduction only mse has": (
        lambda: impl.binary_cross_entropy_forward(ROWS, ROWS, reduction="half"), ValueError,
        "reduction"),
    "bce with logits target of another shape": (
        lambda: impl.binary_cross_entropy_with_logits_forward(ROWS, ROWS[:1]), ValueError,
        "target"),
    "bce with logits reduction none": (
        lambda: impl.binary_cross_entropy_with_logits_forward(ROWS, ROWS, reduction="none"),
        ValueError, "reduction"),
    "cross_entropy logits of one axis": (
        lambda: impl.cross_entropy_forward(VECTOR, CLASSES[:1]), ValueError, "pred"),
    "cross_entropy logits of three axes": (
        lambda: impl.cross_entropy_forward(ROWS[None], CLASSES), ValueError, "pred"),
    "cross_entropy an index per column": (
        lambda: impl.cross_entropy_forward(ROWS, np.arange(3)), ValueError, "target"),
    "cross_entropy class past the last": (
        lambda: impl.cross_entropy_forward(ROWS, np.array([0, 3])), ValueError, "target"),
    "cross_entropy negative class": (
        lambda: impl.cross_entropy_forward(ROWS, np.array([-1, 0])), ValueError, "target"),
    "cross_entropy probabilities over other classes": (
        lambda: impl.cross_entropy_forward(ROWS, np.zeros((2, 4))), ValueError, "target"),
    "cross_entropy boolean target": (
        lambda: impl.cross_entropy_forward(ROWS, np.ones(2, bool)), TypeError, "target"),
    "cross_entropy reduction by name unknown": (
        lambda: impl.cross_entropy_forward(ROWS, CLASSES, reduction="batchmean"), ValueError,
        "reduction"),
    "hinge scores of one axis": (
        lambda: impl.multiclass_hinge_forward(VECTOR, CLASSES[:1]), ValueError, "scores"),
    "hinge an index per column": (
        lambda: impl.multiclass_hinge_forward(ROWS, np.arange(3)), ValueError, "target"),
    "hinge class past the last": (
        lambda: impl.multiclass_hinge_forward(ROWS, np.array([0, 3])), ValueError, "target"),
    "hinge probability rows as the target": (
        lambda: impl.multiclass_hinge_forward(ROWS, ROWS), TypeError, "target"),
    "hinge margin as text": (
        lambda: impl.multiclass_hinge_forward(ROWS, CLASSES, margin="1"), TypeError, "margin"),
    "hinge with the reduction only mse has": (
        lambda: impl.multiclass_hinge_forward(ROWS, CLASSES, reduction="half"), ValueError,
        "reduction"),
    "l2 penalty negative lam": (lambda: impl.l2_penalty_forward(ROWS, lam=-0.1), ValueError,
                                "lam"),
    "l2 penalty m 0": (lambda: impl.l2_penalty_forward(ROWS, m=0), ValueError, "m"),
    "l1 penalty lam as text": (lambda: impl.l1_penalty_forward(ROWS, lam="0.1"), TypeError,
                               "lam"),
    "l1 penalty negative m": (lambda: impl.l1_penalty_forward(ROWS, m=-2), ValueError, "m"),
    # --- linear
    "linear x's features are not w's": (
        lambda: impl.linear_forward(ROWS, np.zeros((4, 2))), ValueError, "x"),
    "linear w of one axis": (lambda: impl.linear_forward(ROWS, VECTOR), ValueError, "w"),
    "linear x of no axis": (lambda: impl.linear_forward(SCALAR, ROWS), ValueError, "x"),
    "linear bias per input": (lambda: impl.linear_forward(ROWS, ROWS, VECTOR), ValueError,
                              "b"),
    "linear bias of another dtype": (
        lambda: impl.linear_forward(ROWS, ROWS, np.zeros(2, np.float32)), TypeError, "b"),
    "linear w of another dtype": (
        lambda: impl.linear_forward(ROWS, ROWS.astype(np.float32)), TypeError, "w"),
    # --- classic learning rules
    "mp_neuron weights for other inputs": (
        lambda: impl.mp_neuron_forward(ROWS, np.ones(2), SCALAR), ValueError, "w"),
    "mp_neuron threshold per pattern": (
        lambda: impl.mp_neuron_forward(ROWS, VECTOR, np.zeros(2)), ValueError, "h"),
    "mp_neuron 0-d patterns": (lambda: impl.mp_neuron_forward(SCALAR, VECTOR, SCALAR),
                               ValueError, "x"),
    "perceptron weights as a matrix": (lambda: _perceptron(w=ROWS), ValueError, "w"),
    "perceptron pattern of another length": (lambda: _perceptron(x=np.ones(2)), ValueError,
                                             "x"),
    "perceptron target of 0.5": (lambda: _perceptron(r=np.full((), 0.5)), ValueError, "r"),
    "perceptron float32 target": (lambda: _perceptron(r=np.ones((), np.float32)), TypeError,
                                  "r"),
    "perceptron rate 0": (lambda: _perceptron(a=0), ValueError, "a"),
    "delta_rule targets of another shape": (
        lambda: impl.delta_rule_forward(ROWS, ROWS, ROWS), ValueError, "r"),
    "delta_rule weights for other inputs": (
        lambda: impl.delta_rule_forward(np.zeros((2, 4)), ROWS, ROWS[:, :2]), ValueError,
        "x"),
    "delta_rule negative eta": (
        lambda: impl.delta_rule_forward(ROWS, ROWS, np.zeros((2, 2)), eta=-0.5), ValueError,
        "eta"),
    "hot_cold weight as a vector": (
        lambda: impl.hot_cold_step_forward(VECTOR, VECTOR, VECTOR), ValueError, "w"),
    "hot_cold target of another length": (
        lambda: impl.hot_cold_step_forward(SCALAR, VECTOR, LABELS), ValueError, "target"),
    "hot_cold step 0": (lambda: impl.hot_cold_step_forward(SCALAR, VECTOR, VECTOR, step=0),
                        ValueError, "step"),
    "logistic regression x of one axis": (lambda: _logistic(x=VECTOR), ValueError, "x"),
    "logistic regression a label per feature": (lambda: _logistic(y=VECTOR), ValueError,
                                                "y"),
    "logistic regression bias per example": (lambda: _logistic(b=LABELS), ValueError, "b"),
    "logistic regression negative rate": (lambda: _logistic(lr=-0.1), ValueError, "lr"),
    # --- gradient descent
    "mini_batches a target too few": (lambda: _mini_batches(y=np.ones(1)), ValueError, "y"),
    "mini_batches 0-d x": (lambda: _mini_batches(x=SCALAR), ValueError, "x"),
    "mini_batches batch size 0": (lambda: _mini_batches(batch_size=0), ValueError,
                                  "batch_size"),
    "mini_batches batch size as a float": (lambda: _mini_batches(batch_size=2.0), TypeError,
                                           "batch_size"),
    "mini_batches order that repeats an example": (
        lambda: _mini_batches(order=np.array([0, 0])), ValueError, "order"),
    "mini_batches order of floats": (lambda: _mini_batches(order=np.array([1.0, 0.0])),
                                     TypeError, "order"),
    "mini_batches rng that is a seed": (lambda: _mini_batches(rng=0), TypeError, "rng"),
    "linear_regression weight as a vector": (
        lambda: impl.linear_regression_forward(VECTOR, SCALAR, VECTOR, VECTOR), ValueError,
        "w"),
    "linear_regression bias of another dtype": (
        lambda: impl.linear_regression_forward(SCALAR, np.zeros((), np.float32), VECTOR,
                                               VECTOR), TypeError, "b"),
    "linear_regression targets of another length": (
        lambda: impl.linear_regression_forward(SCALAR, SCALAR, VECTOR, LABELS), ValueError,
        "y"),
    "least_squares theta for other features": (
        lambda: impl.least_squares_forward(LABELS, ROWS, LABELS), ValueError, "theta"),
    "least_squares theta of three axes": (
        lambda: impl.least_squares_forward(np.zeros((3, 1, 1)), ROWS, LABELS), ValueError,
        "theta"),
    "least_squares x of one axis": (
        lambda: impl.least_squares_forward(VECTOR, VECTOR, LABELS), ValueError, "x"),
    "least_squares targets of another shape": (
        lambda: impl.least_squares_forward(VECTOR, ROWS, VECTOR), ValueError, "y"),
    # --- networks
    "mlp x of one axis": (lambda: _mlp(x=X4[:, 0]), ValueError, "x"),
    "mlp w1 for other inputs": (lambda: _mlp(w1=np.zeros((3, 5))), ValueError, "w1"),
    "mlp w1 of one axis": (lambda: _mlp(w1=B1), ValueError, "w1"),
    "mlp b1 for other hidden units": (lambda: _mlp(b1=np.zeros(2)), ValueError, "b1"),
    "mlp w2 for other hidden units": (lambda: _mlp(w2=np.zeros((1, 2))), ValueError, "w2"),
    "mlp b2 for other outputs": (lambda: _mlp(b2=np.zeros(2)), ValueError, "b2"),
    "mlp target for other examples": (lambda: _mlp(target=T4[:3]), ValueError, "target"),
    "mlp w2 of another dtype": (lambda: _mlp(w2=W2.astype(np.float32)), TypeError, "w2"),
    "mlp unknown activation": (lambda: _mlp(activation="relu"), ValueError, "activation"),
    "mlp negative lam": (lambda: _mlp(lam=-1.0), ValueError, "lam"),
    # --- data and metrics
    "normalize of no examples": (lambda: impl.normalize_forward(ROWS[:0]), ValueError, "x"),
    "normalize of a 0-d array": (lambda: impl.normalize_forward(SCALAR), ValueError, "x"),
    "one_hot classes 0": (lambda: impl.one_hot_forward(CLASSES, classes=0), ValueError,
                          "classes"),
    "one_hot classes as a float": (lambda: impl.one_hot_forward(CLASSES, classes=3.0),
                                   TypeError, "classes"),
    "one_hot index past the classes": (lambda: impl.one_hot_forward(CLASSES, classes=2),
                                       ValueError, "indices"),
    "one_hot of no indices without classes": (
        lambda: impl.one_hot_forward(CLASSES[:0]), ValueError, "classes"),
    "one_hot integer dtype": (lambda: impl.one_hot_forward(CLASSES, dtype="int64"),
                              TypeError, "dtype"),
    "one_hot_argmax of a 0-d array": (lambda: impl.one_hot_argmax_forward(SCALAR),
                                      ValueError, "one_hot"),
    "one_hot_argmax of no classes": (lambda: impl.one_hot_argmax_forward(ROWS[:, :0]),
                                     ValueError, "one_hot"),
    "precision labels of 0.5": (
        lambda: impl.precision_recall_f1_forward(ROWS + 0.5, ROWS), ValueError, "predicted"),
    "recall target of another shape": (
        lambda: impl.precision_recall_f1_forward(ROWS, ROWS.T), ValueError, "target"),
    "f1 target of another dtype": (
        lambda: impl.precision_recall_f1_forward(ROWS, ROWS.astype(np.float32)), TypeError,
        "target"),
    # --- initialisers
    "he_normal draw of one axis": (lambda: impl.he_normal_forward(VECTOR), ValueError, "z"),
    "xavier_normal shape of one axis": (lambda: impl.xavier_normal_forward(shape=(3,)),
                                        ValueError, "shape"),
    "glorot_normal shape with a 0": (lambda: impl.glorot_normal_forward(shape=(3, 0)),
                                     ValueError, "shape"),
    "glorot_normal shape as text": (lambda: impl.glorot_normal_forward(shape="3x2"),
                                    TypeError, "shape"),
    "small_normal integer dtype": (
        lambda: impl.small_normal_forward(shape=(2, 2), dtype="int32"), TypeError, "dtype"),
    "small_normal scale 0": (lambda: impl.small_normal_forward(ROWS, scale=0), ValueError,
                             "scale"),
    "he_normal rng that is a seed": (lambda: impl.he_normal_forward(shape=(2, 2), rng=1),
                                     TypeError, "rng"),
    "xavier_normal a draw and an rng": (lambda: impl.xavier_normal_forward(ROWS, rng=RNG),
                                        ValueError, "rng"),
    # --- schedules
    "lr_decay negative epoch": (lambda: impl.lr_decay_forward(-LABELS), ValueError, "epoch"),
    "lr_decay negative lr0": (lambda: impl.lr_decay_forward(LABELS, lr0=-0.1), ValueError,
                              "lr0"),
    "lr_decay negative decay_rate": (
        lambda: impl.lr_decay_forward(LABELS, decay_rate=-1.0), ValueError, "decay_rate"),
    "lr_decay lr0 as text": (lambda: impl.lr_decay_forward(LABELS, lr0="0.1"), TypeError,
                             "lr0"),
    "ewa beta 1": (lambda: impl.ewa_forward(ROWS, beta=1.0), ValueError, "beta"),
    "ewa negative beta": (lambda: impl.ewa_forward(ROWS, beta=-0.1), ValueError, "beta"),
    "ewa bias_correction as text": (
        lambda: impl.ewa_forward(ROWS, bias_correction="yes"), TypeError, "bias_correction"),
    "ewa of a 0-d series": (lambda: impl.ewa_forward(SCALAR), ValueError, "series"),
}

# --- optimizers: what every one of them must reject, then each one's own settings
OPTIMIZERS = ("sgd", "sgd_momentum", "momentum_velocity", "momentum_step", "momentum_average",
              "nesterov", "adagrad", "adadelta", "rmsprop", "adam", "adamw")


def _step(name, param=VECTOR, grad=VECTOR, state=None, **hyper):
    state = getattr(impl, f"{name}_init")(VECTOR) if state is None else state
    return getattr(impl, f"{name}_step")(param, grad, state, **hyper)


def _init(name, param=VECTOR, **hyper):
    return getattr(impl, f"{name}_init")(param, **hyper)


for _name in OPTIMIZERS:
    BAD |= {
        f"{_name}: negative lr": (lambda n=_name: _step(n, lr=-0.1), ValueError, "lr"),
        f"{_name}: lr as text": (lambda n=_name: _step(n, lr="0.1"), TypeError, "lr"),
        f"{_name}: grad of another shape": (lambda n=_name: _step(n, grad=ROWS), ValueError,
                                            "grad"),
        f"{_name}: grad of another dtype": (
            lambda n=_name: _step(n, grad=VECTOR.astype(np.float32)), TypeError, "grad"),
        f"{_name}: state from another optimizer": (
            lambda n=_name: _step(n, state={"other": VECTOR}), ValueError, "state"),
        f"{_name}: state that is not a dict": (lambda n=_name: _step(n, state=[VECTOR]),
                                               TypeError, "state"),
        f"{_name}: integer param at init": (lambda n=_name: _init(n, np.zeros(3, int)),
                                            TypeError, "param"),
    }
    if _name != "sgd":  # plain SGD keeps no arrays to disagree with
        BAD[f"{_name}: param of another shape than its state"] = (
            lambda n=_name: _step(n, param=LABELS, grad=LABELS), ValueError, "state")

BAD |= {
    "sgd negative weight_decay": (lambda: _step("sgd", weight_decay=-0.1), ValueError,
                                  "weight_decay"),
    "sgd init negative weight_decay": (lambda: _init("sgd", weight_decay=-0.1), ValueError,
                                       "weight_decay"),
    "sgd_momentum beta 1": (lambda: _step("sgd_momentum", beta=1.0), ValueError, "beta"),
    "sgd_momentum init negative beta": (lambda: _init("sgd_momentum", beta=-0.1), ValueError,
                                        "beta"),
    "momentum_velocity beta 1": (lambda: _step("momentum_velocity", beta=1.0), ValueError,
                                 "beta"),
    "momentum_step negative beta": (lambda: _step("momentum_step", beta=-0.5), ValueError,
                                    "beta"),
    "momentum_average init beta 1": (lambda: _init("momentum_average", beta=1.0),
                                     ValueError, "beta"),
    "momentum state of another dtype": (
        lambda: _step("momentum_step", state={"v": np.zeros(3, np.float32)}), TypeError,
        "state"),
    "nesterov beta as text": (lambda: _step("nesterov", beta="0.9"), TypeError, "beta"),
    "nesterov init beta over 1": (lambda: _init("nesterov", beta=2.0), ValueError, "beta"),
    "adagrad eps 0": (lambda: _step("adagrad", eps=0.0), ValueError, "eps"),
    "adagrad init negative eps": (lambda: _init("adagrad", eps=-1e-10), ValueError, "eps"),
    "adadelta rho 1": (lambda: _step("adadelta", rho=1.0), ValueError, "rho"),
    "adadelta init eps 0": (lambda: _init("adadelta", eps=0), ValueError, "eps"),
    "rmsprop alpha 1": (lambda: _step("rmsprop", alpha=1.0), ValueError, "alpha"),
    "rmsprop init negative alpha": (lambda: _init("rmsprop", alpha=-0.1), ValueError,
                                    "alpha"),
    "adam beta2 1": (lambda: _step("adam", beta2=1.0), ValueError, "beta2"),
    "adam negative beta1": (lambda: _step("adam", beta1=-0.1), ValueError, "beta1"),
    "adam init eps 0": (lambda: _init("adam", eps=0.0), ValueError, "eps"),
    "adam negative step count": (
        lambda: _step("adam", state={**_init("adam"), "t": -1}), ValueError, "state"),
    "adamw negative weight_decay": (lambda: _step("adamw", weight_decay=-0.01), ValueError,
                                    "weight_decay"),
    "adamw init beta1 1": (lambda: _init("adamw", beta1=1.0), ValueError, "beta1"),
}


@pytest.mark.parametrize("name", BAD)
def test_bad_argument_is_named(name):
    assert_rejected_by_name(*BAD[name])

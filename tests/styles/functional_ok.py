"""A correct module in the torch.nn.functional style, as a kernel author writes one: some
ops are torch.autograd.Function subclasses with a hand-written backward (where a fused
kernel would go), the rest call torch. It knows nothing of nnconform.

Check it: nnconform check --style functional --impl tests/styles/functional_ok.py
"""

import torch
import torch.nn.functional as F

DEVICE = "cpu"  # where the harness puts the tensors; "cuda" on a GPU


# --- hand-written backward passes ------------------------------------------------------


class _Relu(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * (x > 0).to(grad_output.dtype)


class _LeakyRelu(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, negative_slope):
        ctx.save_for_backward(x)
        ctx.negative_slope = negative_slope
        return torch.where(x > 0, x, x * negative_slope)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return torch.where(x > 0, grad_output, grad_output * ctx.negative_slope), None


class _Sigmoid(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        # exp of -|x| only: no overflow at either end
        e = torch.exp(-x.abs())
        y = torch.where(x >= 0, 1 / (1 + e), e / (1 + e))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * y * (1 - y)


class _Linear(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        y = x @ weight.T
        return y + bias if bias is not None else y

    @staticmethod
    def backward(ctx, grad_output):
        x, weight = ctx.saved_tensors
        rows = grad_output.reshape(-1, grad_output.shape[-1])
        grad_x = grad_output @ weight
        grad_weight = rows.T @ x.reshape(-1, x.shape[-1])
        grad_bias = rows.sum(dim=0) if ctx.has_bias else None
        return grad_x, grad_weight, grad_bias


class _Softmax(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, dim):
        e = torch.exp(x - x.amax(dim=dim, keepdim=True))
        y = e / e.sum(dim=dim, keepdim=True)
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        inner = (grad_output * y).sum(dim=ctx.dim, keepdim=True)
        return y * (grad_output - inner), None


class _LayerNorm(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, normalized_shape, weight, bias, eps):
        axes = tuple(range(x.ndim - len(normalized_shape), x.ndim))
        mean = x.mean(dim=axes, keepdim=True)
        centred = x - mean
        inv_std = torch.rsqrt((centred * centred).mean(dim=axes, keepdim=True) + eps)
        x_hat = centred * inv_std
        ctx.save_for_backward(x_hat, inv_std, weight)
        ctx.axes = axes
        return x_hat * weight + bias

    @staticmethod
    def backward(ctx, grad_output):
        x_hat, inv_std, weight = ctx.saved_tensors
        axes = ctx.axes
        lead = tuple(range(grad_output.ndim - len(axes)))
        grad_weight = (grad_output * x_hat).sum(dim=lead)
        grad_bias = grad_output.sum(dim=lead)
        g = grad_output * weight
        grad_x = inv_std * (g - g.mean(dim=axes, keepdim=True)
                            - x_hat * (g * x_hat).mean(dim=axes, keepdim=True))
        return grad_x, None, grad_weight, grad_bias, None


def relu(input, inplace=False):
    return _Relu.apply(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return _LeakyRelu.apply(input, negative_slope)


def sigmoid(input):
    return _Sigmoid.apply(input)


def linear(input, weight, bias=None):
    return _Linear.apply(input, weight, bias)


def softmax(input, dim=None, dtype=None):
    return _Softmax.apply(input, dim)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    return _LayerNorm.apply(input, tuple(normalized_shape), weight, bias, eps)


# --- the rest: torch's own -------------------------------------------------------------


def tanh(input):
    return torch.tanh(input)


def log_softmax(input, dim=None, dtype=None):
    return F.log_softmax(input, dim=dim)


def prelu(input, weight):
    return F.prelu(input, weight)


def mse_loss(input, target, reduction="mean"):
    return F.mse_loss(input, target, reduction=reduction)


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    return F.binary_cross_entropy(input, target, weight, reduction=reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean"):
    return F.binary_cross_entropy_with_logits(input, target, weight, reduction=reduction)


def cross_entropy(input, target, weight=None, reduction="mean"):
    return F.cross_entropy(input, target, weight, reduction=reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, reduction="mean"):
    return F.multi_margin_loss(input, target, p=p, margin=margin, weight=weight,
                               reduction=reduction)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return F.conv2d(input, weight, bias, stride, padding, dilation, groups)


def max_pool2d(input, kernel_size, stride=None, padding=0):
    return F.max_pool2d(input, kernel_size, stride, padding)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    return F.avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return F.lp_pool2d(input, norm_type, kernel_size, stride, ceil_mode)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum,
                        eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    return F.group_norm(input, num_groups, weight, bias, eps)


def dropout(input, p=0.5, training=True, inplace=False):
    return F.dropout(input, p, training)


def embedding(input, weight):
    return F.embedding(input, weight)


def flatten(input, start_dim=0, end_dim=-1):
    return torch.flatten(input, start_dim, end_dim)


def one_hot(tensor, num_classes=-1):
    return F.one_hot(tensor, num_classes)

"""Metric scripts: errors and accuracies per step, and bootstrap confidence intervals over sequences."""

from llm_as_rnn.metrics.bootstrap import Interval, bootstrap_mean, paired_bootstrap_difference
from llm_as_rnn.metrics.classification import accuracy, accuracy_at_k, correct, hit_at_k
from llm_as_rnn.metrics.regression import absolute_errors, directional_accuracy, mae, mse, rmse
from llm_as_rnn.metrics.sequence_metrics import correct_flags, learning_curve, self_correction_steps
from llm_as_rnn.metrics.step_scores import step_scores

__all__ = [
    "Interval",
    "absolute_errors",
    "accuracy",
    "accuracy_at_k",
    "bootstrap_mean",
    "correct",
    "correct_flags",
    "directional_accuracy",
    "hit_at_k",
    "learning_curve",
    "mae",
    "mse",
    "paired_bootstrap_difference",
    "rmse",
    "self_correction_steps",
    "step_scores",
]

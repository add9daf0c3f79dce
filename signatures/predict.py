"""Step 1 of the loop: predict y_t from the memory h_{t-1} and the step input x_t."""

from __future__ import annotations

from collections.abc import Sequence

import dspy

from llm_as_rnn.signatures.fields import target_output_field


class PredictStep(dspy.Signature):
    """Predict the outcome of the next step of this sequence.

    Your memory holds what earlier steps of this same sequence taught you: patterns, your recent errors and how to
    correct them, and what to watch. Start from the current input, then apply the memory's lessons as adjustments;
    the memory never holds this step's answer."""

    memory: str = dspy.InputField(desc="your notes from earlier steps of this sequence")
    observation: str = dspy.InputField(desc="the input for this step")


def predict_signature(targets: Sequence, task_description: str = "", *, adjust: bool = False) -> type[dspy.Signature]:
    """`PredictStep` with one typed output field per task target and the task described before the instructions.

    Baselines and LLM-as-RNN share this signature, so they differ only in what `memory` holds. With `adjust`, each
    numeric target is preceded by an `<name>_adjustment` field (see `adjustment_field`).
    """
    signature = PredictStep
    for target in targets:
        if adjust and target.kind == "regression":
            signature = signature.append(adjustment_name(target), adjustment_field(target), type_=float)
        signature = signature.append(target.name, target_output_field(target), type_=target.annotation)
    if task_description:
        signature = signature.with_instructions(f"{task_description.strip()}\n\n{PredictStep.instructions}")
    return signature


def adjustment_name(target) -> str:
    return f"{target.name}_adjustment"


def adjustment_field(target) -> dspy.OutputField:
    """A number the model writes *before* the forecast it adjusts: JSON fields are decoded in order, so the forecast
    is conditioned on an explicit decision about what the memory says. Measured on the 1.5B (results page, "The
    adjustment field"): it follows a planted "3 °C lower/higher" note a little further (-1.6/+1.0 °C instead of
    -0.7/+0.8), but in the loop it writes 0 and forecasts today's value at nearly every step: weather zero-shot and
    LLM-as-RNN both become persistence. An option, not the default."""
    unit = f" {target.unit}" if target.unit else ""
    return dspy.OutputField(desc=f"how many{unit} your memory and the measured record say to add to the forecast of "
                                 f"{target.name} (negative lowers it; 0 if they say nothing)")

"""Steps 2 and 3 in one LM call: critique the prediction and rewrite the memory together."""

from __future__ import annotations

import dspy

from llm_as_rnn.signatures.update import with_memory_sections


class CritiqueAndUpdate(dspy.Signature):
    """Critique your prediction, then rewrite your memory of this sequence.

    First say what was wrong and why, using the outcome and measured error when they are given. Then write the
    whole new memory, do not append to the old one: keep what still holds, correct what was wrong, drop what no
    longer matters. Write lessons that carry over to the next step: how the answer relates to the current input,
    and the direction and size of your recent errors as an adjustment. Never write a past prediction or a past
    outcome as a value to reuse: the next step has another answer. Stay within the token budget."""

    memory: str = dspy.InputField(desc="your current memory of this sequence")
    step: str = dspy.InputField(desc="this step: the input, your prediction and, when revealed, the outcome")
    budget: str = dspy.InputField(desc="the token budget of the memory")
    critique: str = dspy.OutputField(desc="what was wrong and why, in one or two sentences", max_length=120)


def fused_signature(schema) -> type[dspy.Signature]:
    """`CritiqueAndUpdate` whose memory outputs are the sections of `schema`."""
    return with_memory_sections(CritiqueAndUpdate, schema)

"""Delta update of the memory (the ACE / ExpeL alternative to a full rewrite): remove bullets, add bullets."""

from __future__ import annotations

import dspy

from llm_as_rnn.signatures.fields import section_output_field


class EditMemory(dspy.Signature):
    """Edit your memory of this sequence after the step below, instead of rewriting it.

    Remove the numbered bullet points the feedback shows are wrong or that no longer matter, and add new bullet
    points for what this step taught you. Everything you do not remove is kept. Write lessons that carry over to
    the next step: how the answer relates to the current input, and the direction and size of your recent errors
    as an adjustment. Never write a past prediction or a past outcome as a value to reuse: the next step has
    another answer. Stay within the token budget."""

    memory: str = dspy.InputField(desc="your current memory of this sequence, bullets numbered")
    step: str = dspy.InputField(desc="this step: the input, your prediction and, when revealed, the outcome")
    feedback: str = dspy.InputField(desc="feedback on the prediction")
    budget: str = dspy.InputField(desc="the token budget of the memory")
    remove: list[int] = dspy.OutputField(desc="numbers of the bullet points to remove (may be empty)", max_length=6)


def edit_signature(schema, *, fused: bool = False) -> type[dspy.Signature]:
    """`EditMemory` with one 'bullets to add' field per memory section; `fused` drops the feedback input and asks
    for the critique in the same call."""
    signature = EditMemory
    if fused:
        signature = signature.delete("feedback").prepend(
            "critique", dspy.OutputField(desc="what was wrong and why, in one or two sentences", max_length=120),
            type_=str)
    for section in schema.sections:
        field = section_output_field(section, desc=f"new bullet points to add to '{section.title}' (may be empty)")
        signature = signature.append(section.name, field, type_=list[str])
    return signature

"""Step 3 of the loop: rewrite (not append) the memory h_{t-1} into h_t under a token budget."""

from __future__ import annotations

import dspy

from llm_as_rnn.signatures.fields import section_output_field


class UpdateMemory(dspy.Signature):
    """Rewrite your memory of this sequence after the step below.

    Write the whole new memory, do not append to the old one: keep what still holds, correct what the feedback
    shows was wrong, drop what no longer matters. Write lessons that carry over to the next step: how the answer
    relates to the current input, and the direction and size of your recent errors as an adjustment. Never write a
    past prediction or a past outcome as a value to reuse: the next step has another answer. Stay within the token
    budget."""

    memory: str = dspy.InputField(desc="your current memory of this sequence")
    step: str = dspy.InputField(desc="this step: the input, your prediction and, when revealed, the outcome")
    feedback: str = dspy.InputField(desc="feedback on the prediction")
    budget: str = dspy.InputField(desc="the token budget of the memory")


def with_memory_sections(signature: type[dspy.Signature], schema) -> type[dspy.Signature]:
    """Append one `list[str]` output field per memory section, in schema order, and the schema's shape (a
    structure-only template, never example facts: a small model copies a format example as if it were a lesson)
    to the instructions, where optimizers can rewrite or drop it like any other instruction text."""
    for section in schema.sections:
        signature = signature.append(section.name, section_output_field(section), type_=list[str])
    example = schema.example_memory()
    if example is not None:
        signature = signature.with_instructions(
            f"{signature.instructions}\n\nShape of the memory (structure only: replace each <...> with what this "
            f"sequence has shown; write nothing that the steps and feedback do not support):\n{example.render()}"
        )
    return signature


def update_signature(schema) -> type[dspy.Signature]:
    """`UpdateMemory` whose outputs are the sections of `schema` (the memory's structure)."""
    return with_memory_sections(UpdateMemory, schema)

"""Output fields built from task targets and memory sections (typed, described for the model)."""

from __future__ import annotations

import dspy


def target_output_field(target) -> dspy.OutputField:
    """One typed prediction field for a task target (float, Literal label, or ranked list of at most k)."""
    if target.kind == "topk":
        return dspy.OutputField(desc=target.field_description, max_length=target.k)
    return dspy.OutputField(desc=target.field_description)


def section_output_field(section, desc: str | None = None) -> dspy.OutputField:
    """One memory section: a short list of specific bullet points, at most `section.max_bullets` of them."""
    return dspy.OutputField(desc=desc or section.field_description, max_length=section.max_bullets)

"""Output fields built from task targets and memory sections (typed, described for the model)."""

from __future__ import annotations

from typing import Any

import annotated_types
import dspy


def target_output_field(target) -> dspy.OutputField:
    """One typed prediction field for a task target (float, Literal label, or ranked list of exactly k).

    A top-k answer has exactly k items wherever the label set allows k (Acc@k reads k answers; a small model left
    free stops after one to three, which scores an Acc@5 below simply repeating the previous visit). A grammar engine
    enforces both bounds (`minItems`, `maxItems`); for other engines they are advice, parsed tolerantly.
    """
    if target.kind == "topk":
        least = min(target.k, len(target.labels)) if target.labels else target.k
        return dspy.OutputField(desc=target.field_description, max_length=target.k, min_length=least)
    return dspy.OutputField(desc=target.field_description)


def section_output_field(section, desc: str | None = None) -> dspy.OutputField:
    """One memory section: a short list of specific bullet points, at most `section.max_bullets` of them."""
    return dspy.OutputField(desc=desc or section.field_description, max_length=section.max_bullets)


def length_limits(field: Any) -> tuple[int | None, int | None]:
    """A field's declared (minimum, maximum) length, read from the metadata `OutputField(min_length=, max_length=)`
    leaves (None where it declares none): the one reader for the adapter's schema and the prompt fingerprint."""
    least = next((m.min_length for m in field.metadata if isinstance(m, annotated_types.MinLen)), None)
    most = next((m.max_length for m in field.metadata if isinstance(m, annotated_types.MaxLen)), None)
    return least, most

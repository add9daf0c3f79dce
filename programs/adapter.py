"""Put the memory in the system prompt, as the paper does, on top of DSPy's JSONAdapter.

DSPy's adapters render every input field into the user message; the system message holds only field
descriptions, the output structure and the instructions. LLM-as-RNN carries h_t in the system prompt, so this
adapter takes the named memory fields out of the user message and appends them to the system message, after the
static part. Static text first, then memory, then the step input: a prompt-prefix cache (llama.cpp's KV reuse,
provider prompt caching) can reuse the instructions across calls.

JSONAdapter (not ChatAdapter) because with a backbone that declares `supports_response_schema` DSPy sends a JSON
schema, which the embedded engine turns into a llama.cpp grammar: a 135M model then parses every time.
"""

from __future__ import annotations

import copy
import textwrap
from contextvars import ContextVar
from typing import Any

import dspy
from dspy.adapters.json_adapter import _get_structured_outputs_response_format
from dspy.adapters.utils import format_field_value, get_annotation_name

from llm_as_rnn.signatures.fields import length_limits

MEMORY_FIELDS = ("memory",)
# The full signature while a call is formatted, so few-shot demos keep their memory (see `format_demos`).
_DEMO_SIGNATURE: ContextVar[Any] = ContextVar("demo_signature", default=None)
LONG_TYPE_CHARS = 200


class SystemPromptMemoryAdapter(dspy.JSONAdapter):
    """JSONAdapter that moves `memory_fields` from the user message to the end of the system message.

    The system message is also kept short: DSPy's templates (`[[ ## field ## ]]` placeholders and a JSON skeleton
    with notes) cost ~100 tokens per call and small models copy them into their answers; the field list and the
    output requirements in the user message already say everything the model needs.
    """

    def __init__(self, memory_fields: tuple[str, ...] = MEMORY_FIELDS, *, memory_first: bool = False, **kwargs: Any):
        """`memory_first=True` puts the memory before the instructions: the unordered layout the prefix-reuse
        benchmark compares against (every call then differs from its first tokens)."""
        super().__init__(**kwargs)
        self.memory_fields = tuple(memory_fields)
        self.memory_first = memory_first

    def format_field_description(self, signature: type[dspy.Signature]) -> str:
        return (
            f"Your input fields are:\n{_describe_fields(signature.input_fields)}\n"
            f"Your output fields are:\n{_describe_fields(signature.output_fields)}"
        )

    def format_field_structure(self, signature: type[dspy.Signature]) -> str:
        return "Each input comes under its name. Answer with one JSON object with the output fields."

    def format_user_message_content(
        self,
        signature: type[dspy.Signature],
        inputs: dict[str, Any],
        prefix: str = "",
        suffix: str = "",
        main_request: bool = False,
    ) -> str:
        """Inputs under plain `Name:` headings: small models copy `[[ ## name ## ]]` markers into their answers."""
        parts = [prefix]
        for name, field in signature.input_fields.items():
            if name in inputs:
                parts.append(f"{_heading(name)}:\n{format_field_value(field_info=field, value=inputs[name])}")
        if main_request:
            parts.append(self.user_message_output_requirements(signature))
        parts.append(suffix)
        return "\n\n".join(p for p in parts if p).strip()

    def user_message_output_requirements(self, signature: type[dspy.Signature]) -> str:
        """DSPy's reminder, without restating a long type: a closed label set (clinical: ~200 categories) is
        listed once, in the static system message, instead of again in every step's user message."""
        def type_info(field: Any) -> str:
            if field.annotation is str:
                return ""
            name = get_annotation_name(field.annotation)
            return f" (a valid {name})" if len(name) <= LONG_TYPE_CHARS else " (from the labels listed above)"

        fields = ", then ".join(f"`{name}`{type_info(field)}" for name, field in signature.output_fields.items())
        return f"Respond with a JSON object in the following order of fields: {fields}."

    def format_task_description(self, signature: type[dspy.Signature]) -> str:
        return f"Your task: {textwrap.dedent(signature.instructions).strip()}"

    def format(self, signature: type[dspy.Signature], demos: list[dict[str, Any]], inputs: dict[str, Any]):
        moved = [name for name in self.memory_fields if name in signature.input_fields]
        if not moved:
            return super().format(signature, demos, inputs)
        visible = signature
        for name in moved:
            visible = visible.delete(name)
        token = _DEMO_SIGNATURE.set(signature)
        try:
            messages = super().format(visible, demos, {k: v for k, v in inputs.items() if k not in moved})
        finally:
            _DEMO_SIGNATURE.reset(token)
        blocks = memory_blocks(signature, self.memory_fields, inputs)
        static = messages[0]["content"].rstrip()
        messages[0]["content"] = f"{blocks}\n\n{static}" if self.memory_first else f"{static}\n\n{blocks}"
        return messages

    def format_demos(self, signature: type[dspy.Signature], demos: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Demos keep their memory: a demo shows the memory it was made with, under a `Memory:` heading in its
        user turn (the live memory of the current step stays in the system prompt)."""
        return super().format_demos(_DEMO_SIGNATURE.get() or signature, demos)

    def _prepare_response_format(self, lm, lm_kwargs, signature):
        """DSPy's choice of format, then two adjustments.

        The signature's length limits go into the JSON schema for engines whose grammar honours them. Fields declare
        limits the DSPy way (`OutputField(max_length=3)`, and `min_length=` for a list): DSPy parses them tolerantly
        and leaves them out of the schema. A grammar-constrained local engine (declaring `supports_schema_limits`)
        then stops a small model's runaway lists at the upper limit and keeps a ranked answer from stopping short of
        the lower one; hosted providers, some of which reject `maxLength` in strict mode, get the schema unchanged.

        A served backbone whose structured-output mode was probed (`backbones.structured_output`, set on the LM as
        `structured_output`) gets that mode: `json_object_schema` sends the schema inside JSON mode (what
        llama-cpp-python's server enforces), `none` sends no format at all.
        """
        super()._prepare_response_format(lm, lm_kwargs, signature)
        mode = getattr(lm, "structured_output", None)
        if mode == "none":
            lm_kwargs.pop("response_format", None)
            return
        if mode == "json_object_schema":
            lm_kwargs["response_format"] = {"type": "json_object",
                                            "schema": _limited_schema(_output_model(signature), signature)}
            return
        response_format = lm_kwargs.get("response_format")
        if not getattr(getattr(lm, "engine", None), "supports_schema_limits", False):
            return
        if not isinstance(response_format, type) or not hasattr(response_format, "model_json_schema"):
            return
        schema = _limited_schema(response_format, signature)
        response_format.model_json_schema = lambda *args, **kwargs: schema


def _output_model(signature: type[dspy.Signature]) -> type:
    """The pydantic model of the signature's outputs, as DSPy builds it for structured outputs."""
    return _get_structured_outputs_response_format(signature)


def _limited_schema(model: type, signature: type[dspy.Signature]) -> dict[str, Any]:
    """`model`'s JSON schema with each output field's length limits (maxLength / maxItems / minItems)."""
    schema = copy.deepcopy(model.model_json_schema())
    for name, field in signature.output_fields.items():
        prop = schema.get("properties", {}).get(name)
        if not isinstance(prop, dict):
            continue
        least, most = length_limits(field)
        if most is not None:
            prop["maxItems" if prop.get("type") == "array" else "maxLength"] = most
        if least is not None and prop.get("type") == "array":
            prop["minItems"] = least
    return schema


def _heading(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _describe_fields(fields: dict[str, Any]) -> str:
    """One line per field: name, type and description (limits are enforced by the schema, not restated)."""
    lines = []
    for index, (name, field) in enumerate(fields.items(), start=1):
        desc = (field.json_schema_extra or {}).get("desc") or ""
        lines.append(f"{index}. `{name}` ({get_annotation_name(field.annotation)}): {desc}".rstrip(": "))
    return "\n".join(lines)


def memory_blocks(signature: type[dspy.Signature], names: tuple[str, ...], inputs: dict[str, Any]) -> str:
    """The memory fields of `signature` among `names`, as the system prompt shows them."""
    moved = [name for name in names if name in signature.input_fields]
    return "\n\n".join(_memory_block(signature, name, inputs.get(name)) for name in moved)


def _memory_block(signature: type[dspy.Signature], name: str, value: Any) -> str:
    desc = (signature.input_fields[name].json_schema_extra or {}).get("desc") or name
    text = str(value).strip() if value not in (None, "") else "(empty)"
    return f"{desc[0].upper()}{desc[1:]} ({_heading(name).lower()}):\n{text}"

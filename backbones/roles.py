"""Which backbone plays which role of the loop: predictor, critic (feedback/judge) and memory updater."""

from __future__ import annotations

from dataclasses import dataclass, fields

import dspy

from llm_as_rnn.backbones.registry import describe, load_backbone


@dataclass(frozen=True)
class Roles:
    """Backbones per role; `None` means the LM configured with `dspy.configure(lm=...)` or `dspy.context`.

    Using different backbones per role lets a small predictor learn from a stronger critic, or a large model
    write the memory that a small one reads.
    """

    predictor: dspy.BaseLM | None = None
    critic: dspy.BaseLM | None = None
    updater: dspy.BaseLM | None = None

    @classmethod
    def from_strings(
        cls, predictor: str | None, critic: str | None = None, updater: str | None = None, **backbone_kwargs
    ) -> Roles:
        """Build each distinct model string once; unnamed roles use the predictor's backbone."""
        built: dict[str, dspy.BaseLM] = {}

        def lm(text: str | None) -> dspy.BaseLM | None:
            if text is None:
                return None
            if text not in built:
                built[text] = load_backbone(text, **backbone_kwargs)
            return built[text]

        main = lm(predictor)
        return cls(predictor=main, critic=lm(critic) or main, updater=lm(updater) or main)

    def describe(self) -> dict[str, str]:
        return {f.name: describe(getattr(self, f.name)) for f in fields(self)}

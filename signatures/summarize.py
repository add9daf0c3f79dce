"""MemPrompt's per-step summary: one LM call per step condenses the step and its outcome for later steps."""

import dspy


class SummarizeStep(dspy.Signature):
    """Summarize this step of the sequence for later predictions, in one or two sentences: what the input showed,
    what was predicted, and what actually happened."""

    step: str = dspy.InputField(desc="the step: its input, the prediction and the revealed outcome")
    summary: str = dspy.OutputField(desc="one or two sentences with the key numbers", max_length=240)

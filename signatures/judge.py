"""Step 2 of the loop without ground truth: an LLM judge critiques the prediction from the input alone."""

import dspy


class JudgeWithoutTruth(dspy.Signature):
    """Judge a prediction without knowing the outcome.

    Check whether the prediction is consistent with the input: does it follow the recent values and trends, is it
    plausible? Say what looks wrong, then state one concrete lesson for the next predictions of this sequence."""

    observation: str = dspy.InputField(desc="the input the prediction was made from")
    prediction: str = dspy.InputField(desc="what was predicted")
    critique: str = dspy.OutputField(
        desc="what looks wrong or right about the prediction, in one or two short, complete sentences", max_length=120
    )
    # 160 like the truth critic's lesson: at 80 characters the 1.5B's lesson was cut by the limit at 30 of 48 test
    # steps ("consider the observed maximum temperature when making future,")
    lesson: str = dspy.OutputField(desc="one concrete, reusable rule for the next predictions, one short sentence",
                                   max_length=160)

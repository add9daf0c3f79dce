"""The paper's LLM-judge scoring for clinical predictions: do two diagnoses name the same condition?"""

import dspy


class SameDiagnosis(dspy.Signature):
    """Decide whether the predicted diagnosis names the same clinical condition as the true diagnosis. A broader
    or narrower term that is clinically equivalent counts as the same; a different condition does not."""

    predicted: str = dspy.InputField(desc="a predicted diagnosis")
    truth: str = dspy.InputField(desc="the true primary diagnosis")
    same: bool = dspy.OutputField(desc="true if they name the same condition")

"""Step 2 of the loop, grounded: a critique of the prediction against the revealed truth y_t."""

import dspy


class CritiqueWithTruth(dspy.Signature):
    """Compare your prediction with what actually happened.

    Say what was wrong and why, using the measured error. Then state one concrete lesson, with numbers, that would
    have made this prediction better and will help the next predictions of this sequence."""

    observation: str = dspy.InputField(desc="the input the prediction was made from")
    prediction: str = dspy.InputField(desc="what was predicted")
    outcome: str = dspy.InputField(desc="what actually happened, with the measured error of the prediction")
    critique: str = dspy.OutputField(desc="what was wrong and why, in one or two short, complete sentences",
                                     max_length=240)
    lesson: str = dspy.OutputField(desc="one concrete, reusable rule for the next predictions, one short sentence",
                                   max_length=160)

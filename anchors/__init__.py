"""Classical anchors: non-LLM predictors scored on exactly the same steps as the LLM methods."""

from llm_as_rnn.anchors.registry import anchor_names, anchor_predictions, primary_anchor

__all__ = ["anchor_names", "anchor_predictions", "primary_anchor"]

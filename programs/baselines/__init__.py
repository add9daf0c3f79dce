"""Baselines of the paper (zero-shot, FHC, MemPrompt) and of the related work, sharing the predict step."""

from programs.baselines.zero_shot import ZeroShot

__all__ = ["ZeroShot"]

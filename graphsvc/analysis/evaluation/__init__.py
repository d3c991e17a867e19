"""Evaluation: the rank modes and baselines scored on held-out links (``evaluate``). Reads every other part."""

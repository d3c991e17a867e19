"""The link model: how likely a partnership is to form. Structural and domain signals (``signals``), held-out
link splits and their metrics (``linkpred``), the weighting's fit and calibration (``model_selection``, with the
cache of ``recent_fits``). Reads the kernel only."""

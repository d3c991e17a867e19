"""Gaps: what a community's partners leave uncovered, by need and by five-society role, summed by street and
district (``find``), and the answers' models (``answers``). Reads the kernel only."""

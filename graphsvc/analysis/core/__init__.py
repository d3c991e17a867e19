"""The small shared kernel every analysis reads: the graph's common facts (``common``), the share rule
(``coverage``: a community's needs, a partner's offers, the part of a need a link covers), the policy profiles
(``policy``), the rank modes (``rank_modes``), a recommendation's options and result models (``options``,
``results``) and the fork that spreads a city's work on two CPUs (``forked``). It imports no other part of
``graphsvc.analysis``."""

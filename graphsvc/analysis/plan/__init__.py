"""The district plan: the set of new links that closes the most need under every partner's capacity
(``district``), how it differs from each community's list (``divergences``) and its answers' models
(``answers``). Reads the kernel and the recommender's reasons."""

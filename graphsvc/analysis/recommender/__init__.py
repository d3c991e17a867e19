"""The recommender: who could fill a community's gaps, in one order. Composed of collaborators with public
methods: the candidate pools (``candidates``), the gain kernel over sparse tables (``gain``), the scorer
(``scoring``: a pair's likelihood from the link model), the chooser (``choosing``: the list's one ``Sequence``,
closing part then others), the reasons (``reasons``) and the explanation of one partner's place (``explain``),
put together by ``recommend.Recommender`` (with the verbs ``recommend``, ``recommend_all``, ``explain_partner``).
``reference`` is the plain-NetworkX recommender the fast path is
tested against. Reads the kernel and the link model."""

"""graphsvc: graph analysis of resource linkage in community governance.

It keeps a district's communities and partners (organizations, enterprises,
schools, media) and their partnerships as a graph, finds each community's
resource gaps and suggests partner links with reasons.
"""

__version__ = "0.1.0"

"""The project subscription fair (公益项目认购会): which sponsor takes which proposed project, to cover the most
residents' need weighted by how likely each sponsorship is, under every sponsor's budget (``match``). Reads the
kernel (the share rule) and the link model (the probabilities)."""

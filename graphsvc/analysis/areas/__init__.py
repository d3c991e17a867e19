"""Figures by area: every community's gaps and the plan's links summed by street, district, city or province
(``rollup``), and what a street's or an area's printable report holds (``report``). Reads the kernel, the gaps'
and the plan's answers."""

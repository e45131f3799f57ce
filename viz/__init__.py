"""`aicc.viz`: pictures of a compiled graph and of the simulator's cost report.

`graph` writes the compiled graph (`aicc-compile -dump-graph=FILE`): the DOT of
`aicc.dialects.op_graph` with each node's simulated cycles, as SVG through Graphviz
when it can. `report_plots` draws the cost report (`aicc-run -t DIR --plot=DIR2`):
`roofline.png`, `timeline.png` and `layers.png`, each with the JSON it was drawn
from. matplotlib and the graphviz package come from the optional extra `plot`
(`extra`); this package imports them only when a picture is asked for.
"""

"""`aicc.tune`: automatic mixed precision, priced by the device cost model.

    frontier = tune(config, AccuracyTarget(sqnr_db=40.0), eval_list=Path("eval.txt"))
    frontier.points     # the Pareto front of simulated cycles against accuracy
    frontier.chosen     # the cheapest point meeting the target, verified on the real flow
    frontier.write(Path("out"))

Modules: `sensitivity` (the noise model from one profile), `cost` (cycles per
kernel and per boundary conversion), `search` (the greedy walk, the frontier and
verification), `plot` (pareto.png).
"""

from aicc.tune.search import AccuracyTarget, Frontier, OutputFigures, Point, Verification, tune

__all__ = ["AccuracyTarget", "Frontier", "OutputFigures", "Point", "Verification", "tune"]

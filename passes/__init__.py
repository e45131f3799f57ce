"""aicc's own passes over the high-level IR, one `ModulePass` per module.

Passes import no lowering and no pipeline; `aicc.pipeline.registry` names them all
and loads each on first use.
"""

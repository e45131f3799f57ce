"""The bottom layer: errors and diagnostics, precision types, target descriptions, INT8
arithmetic, FP16 semantics, YAML and file helpers. It imports no other aicc layer."""

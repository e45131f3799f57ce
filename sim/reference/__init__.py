"""The reference interpreter of the high-level IR and its numpy kernels."""

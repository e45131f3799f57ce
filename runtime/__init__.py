"""Running compiled bundles: reading them and executing them on the device simulator or
the reference interpreter. It loads no part of the compiler."""

"""aicc-fuzz: a differential fuzzer over every level of aicc (docs/fuzzing.md)."""

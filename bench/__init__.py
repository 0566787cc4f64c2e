"""Benchmarks and the soak test: `make bench`, `make soak` (see bench/README.md)."""

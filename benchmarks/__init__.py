"""Benchmark scripts; their figures are quoted in docs/benchmarks.md."""

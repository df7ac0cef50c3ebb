"""Benchmarks, run on demand (never in CI); results are recorded in README.md."""

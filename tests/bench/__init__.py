"""Benchmarks. Run all with `make bench` (= `python -m tests.bench`), one with
`python -m tests.bench loading`. Each prints a table whose baseline is measured in the same run:
compare ratios and medians, never absolute times from another day."""

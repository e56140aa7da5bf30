"""What the tests and the benchmarks in bench/ share: servers to start, simulated phones,
the load and chaos runs, clients of the scaled-out setup, and the checks for outside services.

Test support: imports the standard library, third-party test tools, `workshop` and the
tests' own helpers (conftest's functions, factories), never a test module (test_*.py) and
never bench/. bench/ may import what it needs from here.
"""

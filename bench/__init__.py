"""Benchmark harness: `make bench` (`python -m bench`) runs the planner and its peers on the same instances.

See bench/sections.py for how a section plugs in and bench/common.py for the shared helpers.
"""

"""numbot benchmarks: ``./run bench`` (``python -m bench``) prints figures; nothing is asserted."""

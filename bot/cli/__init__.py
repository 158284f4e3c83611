"""The command line's flows (``python -m bot validate|alternate|add|assign``) and the
deployment check (``python -m bot check``)."""

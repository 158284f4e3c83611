"""A local Webex look-alike for numbot's tests and demo.

``SandboxServer`` serves ``Sandbox`` (the in-memory org) over HTTP on loopback;
``seed`` holds the seeded people, tokens, locations and example numbers.
"""
from sandbox import seed
from sandbox.server import SandboxServer
from sandbox.state import Identity, Sandbox

__all__ = ["Identity", "Sandbox", "SandboxServer", "seed"]

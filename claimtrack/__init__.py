"""claimtrack: who claimed what, who denied it, and what stands contested."""

__version__ = "0.1.0"

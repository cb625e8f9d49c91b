"""The version of skdigits (read by the package build from here)."""

__version__ = "0.1.0"

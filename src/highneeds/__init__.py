"""highneeds: regenerate a High Needs (SEND) deficit Cabinet paper from a cycle's data."""

__version__ = "0.1.0"

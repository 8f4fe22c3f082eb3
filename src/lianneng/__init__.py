"""lianneng (廉能): an integrity-risk register kept as code."""

__version__ = "0.1.0"

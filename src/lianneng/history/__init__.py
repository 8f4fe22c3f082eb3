"""The register through time: a register at any revision, and what changed between two."""

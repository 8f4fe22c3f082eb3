"""Stage 6: dynamic management. Reviews, signals and warnings, yellow cards, periodic reports."""

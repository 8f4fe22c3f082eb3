"""Command bodies too long for cli.py: each takes checked data and a console, returns an exit
code."""

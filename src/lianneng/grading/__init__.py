"""Stage 4: grading. Every risk point gets a level from the register's policy, with its reason."""

"""Stage 1: files on disk → located raw records (text, YAML, Markdown front matter)."""

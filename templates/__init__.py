"""Built-in templates (installed as the package `lianneng.templates`).

A register overrides any of them by putting a file of the same name in its own `templates/` folder.
"""

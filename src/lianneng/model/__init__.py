"""The typed model of a register: one module per kind of record, a root model of the whole."""

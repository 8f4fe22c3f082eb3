"""Stages 2–3: typed models, then checks across the whole register. All return problems."""

"""The kept assessment: what moves a score (`changes`), the stale marks, and the kept rows per unit.
May import: models, tasks; responsibility.
"""

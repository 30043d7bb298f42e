"""The pure rules of the assessment: accident grades, target scores, 一票否决, ranks and 等次, guardrails.
May import: nothing but the standard library (no Django: tested without a database).
"""

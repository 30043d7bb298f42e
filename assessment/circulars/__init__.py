"""通报: drafted from the period's figures, edited, published with a 文号, read receipts and the PDF.
May import: rules, reports, accidents, results, notices, models, tasks; responsibility.
"""

"""季度填报: quarterly reports with evidence, review, quarter locks, the 季度总览 and the Excel round trip.
May import: rules, accidents, kept, models; responsibility.
"""

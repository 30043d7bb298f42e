"""Each role's first page: the reporter's tasks, the unit head's standing, the office's and leaders' cards.
May import: reports, inspections, models; responsibility.
"""

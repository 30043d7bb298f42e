"""站内提醒: notices written once per key and e-mailed after commit, the reminder ladder, the inbox.
May import: circulars (the 催报通报 draft), models, tasks; responsibility.
"""

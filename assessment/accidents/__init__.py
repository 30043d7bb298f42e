"""事故台账: the accident register, exemptions, its Excel import and the accident figures per unit and period.
May import: rules, kept, models; responsibility.
"""

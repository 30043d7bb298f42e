"""The year-end assessment: assess_year, the kept assessment, 定稿, 加减分 and 考核扣分, 一票否决 rules and the what-if, ranking, 驾驶舱.
May import: rules, accidents, inspections, kept, models, tasks; responsibility.
"""

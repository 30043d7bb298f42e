"""督查 and their findings (问题隐患): 挂牌督办 → 申请验收 → 验收 → 销号, rectification and its evidence.
May import: notices, kept, models; responsibility.
"""

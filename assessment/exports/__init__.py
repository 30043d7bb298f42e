"""全年数据导出: the year's workbook, written by a Celery worker in constant memory.
May import: results, notices, models, tasks; responsibility.
"""

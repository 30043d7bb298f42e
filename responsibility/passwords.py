"""Password rules with their refusals in Chinese.

Django 5.2's zh-hans catalogue has no translation for the minimum-length refusal ("This password
is too short…"), so a person setting a short password would read English on a Chinese page.
"""

from django.contrib.auth import password_validation


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"你的密码必须包含至少 {self.min_length} 个字符。"

"""Password rules with their refusals and help texts in Chinese, addressing the person as 您.

Django 5.2's zh-hans catalogue has no translation for the minimum-length refusal ("This password
is too short…"), so a person setting a short password would read English on a Chinese page; and its
help texts say 你 ("你的密码…"), where the product says 您 throughout.
"""

from django.contrib.auth import password_validation


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"您的密码必须包含至少 {self.min_length} 个字符。"


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def get_help_text(self) -> str:
        return "您的密码不能与您的其他个人信息太相似。"


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_help_text(self) -> str:
        return "您的密码不能是一个常见密码。"


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_help_text(self) -> str:
        return "您的密码不能全都是数字。"

"""Password rules with their refusals and help texts in Chinese, addressing the person as 您.

Django 5.2's zh-hans catalogue has no translation for the minimum-length refusal ("This password
is too short…"), so a person setting a short password would read English on a Chinese page; and its
help texts say 你 ("你的密码…"), where the product says 您 throughout.
"""

import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

# What is left of a password once the person's own words are taken out: digits, punctuation and
# spaces add nothing a guesser would not try first.
_FILLER = re.compile(r"[\W\d_]+")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"您的密码必须包含至少 {self.min_length} 个字符。"


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    """Django's check (username, e-mail) over the person's 姓名 and units as well.

    Django compares whole strings by similarity ratio, which misses a Chinese name padded with digits
    ("孙立孙立2026" is only 40 % like "孙立"). So a password is also refused when, with every
    occurrence of the person's 姓名, a unit's name or a unit's code taken out, only digits and
    punctuation remain.
    """

    def __init__(self, user_attributes=("username", "name", "first_name", "last_name", "email"), **kwargs):
        super().__init__(user_attributes=user_attributes, **kwargs)

    def validate(self, password, user=None):
        super().validate(password, user)
        if not user:
            return
        for label, words in (("姓名", [user.name]), ("单位", _unit_words(user))):
            for word in words:
                for part in {word, *re.split(r"\W+", word)}:
                    if len(part) >= 2 and _made_of(password.lower(), part.lower()):
                        raise ValidationError(
                            self.get_error_message(),
                            code="password_too_similar",
                            params={"verbose_name": label},
                        )

    def get_help_text(self) -> str:
        return "您的密码不能与您的姓名、单位等个人信息太相似。"


def _unit_words(user) -> list[str]:
    """The names and codes of the units the person works for (none before the person is saved)."""
    if user.pk is None:
        return []
    return [
        word for unit in user.memberships.values_list("unit__name", "unit__code") for word in unit if word
    ]


def _made_of(password: str, word: str) -> bool:
    """Whether the password is `word`, repeated or not, with only digits and punctuation besides."""
    return word in password and not _FILLER.sub("", password.replace(word, ""))


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_help_text(self) -> str:
        return "您的密码不能是一个常见密码。"


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_help_text(self) -> str:
        return "您的密码不能全都是数字。"

"""Uploads checked and shown, waiting for 确认导入: kept in the database, not in the session."""

import secrets

from django.db import models

from .units import User


def new_token() -> str:
    return secrets.token_hex(16)


class PendingUpload(models.Model):
    """The checked rows of one uploaded workbook, until its uploader confirms them or they expire.

    The page carries only the token; `scope` says what the rows are for (which import, unit,
    year and quarter), so that a token cannot be spent on another page.
    """

    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=100)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "待确认的上传"

    def __str__(self) -> str:
        return f"{self.scope} · {self.created_at:%Y-%m-%d %H:%M}"

"""Uploaded files checked by what they contain, not by what they are called.

Signed letters come back as scans or phone photos; quarterly reports bring evidence in
Office formats. A browser's ``content_type`` and the file name are whatever the sender
says, so each kind is recognised from its first bytes (and, for .docx/.xlsx, from the
ZIP's list of parts), and the name's extension must agree with the content.

Only the first bytes (and a ZIP's central directory) are read; the size comes from
``upload.size``. The file position is left at 0 for whoever saves the file next.
"""

import math
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_NAME_CHARS = 100
UNNAMED = "未命名文件"

ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Kind:
    label: str
    extensions: tuple[str, ...]
    mime_types: tuple[str, ...]
    magic: bytes
    # For Office Open XML: the part a ZIP must hold to be this kind of document.
    zip_member: str = ""


KINDS: dict[str, Kind] = {
    "pdf": Kind("PDF", (".pdf",), ("application/pdf",), b"%PDF-"),
    "jpeg": Kind("JPEG", (".jpg", ".jpeg"), ("image/jpeg",), b"\xff\xd8\xff"),
    "png": Kind("PNG", (".png",), ("image/png",), b"\x89PNG\r\n\x1a\n"),
    "docx": Kind(
        "Word（.docx）",
        (".docx",),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
        ZIP_MAGIC,
        zip_member="word/document.xml",
    ),
    "xlsx": Kind(
        "Excel（.xlsx）",
        (".xlsx",),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",),
        ZIP_MAGIC,
        zip_member="xl/workbook.xml",
    ),
    # Word 97-2003 and Excel 97-2003 share one container (OLE2 compound file); telling
    # them apart would mean walking its directory, so they are one kind.
    "ole": Kind(
        "doc/xls（旧版 Office）",
        (".doc", ".xls"),
        ("application/msword", "application/vnd.ms-excel"),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    ),
}

SCAN_KINDS = ("pdf", "jpeg", "png")
EVIDENCE_KINDS = ("pdf", "jpeg", "png", "docx", "xlsx", "ole")

# What to do instead, said after "is not a ... file" for the usual sets of kinds.
HINTS = {
    SCAN_KINDS: "请上传签字盖章后的扫描件或照片。",
    EVIDENCE_KINDS: "请上传 PDF、照片（JPEG/PNG）、Word 或 Excel 格式的佐证材料。",
}

HEAD_BYTES = max(len(kind.magic) for kind in KINDS.values())
# Control characters, and invisible format characters such as U+202E (right-to-left
# override, which makes "scan\u202efdp.exe" display as "scanexe.pdf").
HIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def safe_name(name) -> str:
    """The file name fit to show back to the user: no folders, no hidden characters, at most 100 chars."""
    name = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char) not in HIDDEN_CATEGORIES)
    while ".." in name:
        name = name.replace("..", ".")
    name = name.strip(" .")
    if not name:
        return UNNAMED
    if len(name) > MAX_NAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        ext = dot + ext if stem and len(ext) <= 10 else ""
        name = name[: MAX_NAME_CHARS - len(ext) - 1] + "…" + ext
    return name


def extension(name: str) -> str:
    """The lower-case extension with its dot (".pdf" for "扫描件.PDF"), or "" when there is none."""
    stem, dot, ext = name.rpartition(".")
    return f".{ext.lower()}" if stem and dot else ""


def accept_attr(kinds) -> str:
    """The file input's ``accept``: extensions and MIME types, so the picker offers only these."""
    values = []
    for key in kinds:
        values += [*KINDS[key].extensions, *KINDS[key].mime_types]
    return ",".join(dict.fromkeys(values))


def detect_kind(upload) -> str | None:
    """The registered kind the content is, or None. Reads only the first bytes and a ZIP's directory."""
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    for key, kind in KINDS.items():
        if not kind.zip_member and head.startswith(kind.magic):
            return key
    if head.startswith(ZIP_MAGIC):
        members = _zip_members(upload)
        for key, kind in KINDS.items():
            if kind.zip_member and kind.zip_member in members:
                return key
    return None


def _zip_members(upload) -> set[str]:
    position = upload.tell()
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        return set()
    finally:
        upload.seek(position)


def _is_latin(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in ".%")


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def _text(*parts: str) -> str:
    """Parts joined with a space where Latin letters or digits meet Han characters ("不是 PDF 文件")."""
    text = ""
    for part in filter(None, parts):
        if text and (
            (_is_latin(text[-1]) and _is_han(part[0])) or (_is_han(text[-1]) and _is_latin(part[0]))
        ):
            text += " "
        text += part
    return text


def _join_or(labels) -> str:
    """Labels as a Chinese "or" list: PDF、JPEG 或 PNG."""
    labels = list(labels)
    if len(labels) == 1:
        return labels[0]
    return _text("、".join(labels[:-1]), "或", labels[-1])


def _size_text(size: int) -> str:
    """25.3 MB, 812 KB, 10 字节: rounded up, so a file just over the limit never reads as equal to it."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            value = math.ceil(size * 10 / scale) / 10
            return f"{value:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} 字节"


def check_upload(upload, *, kinds, max_bytes: int = MAX_UPLOAD_BYTES, hint: str | None = None) -> str:
    """The kind of file ``upload`` is (one of ``kinds``), or ValidationError in plain Chinese.

    Refused: an empty file, one over ``max_bytes``, content that is none of ``kinds``, and
    a name whose extension does not belong to the content's kind (a PNG called scan.pdf).
    """
    kinds = tuple(kinds)
    unknown = [key for key in kinds if key not in KINDS]
    if unknown or not kinds:
        raise ValueError(f"Unknown upload kinds: {unknown or kinds!r}")
    name = safe_name(getattr(upload, "name", ""))
    size = upload.size
    if not size:
        raise ValidationError(f"「{name}」是空文件。", code="empty")
    if size > max_bytes:
        raise ValidationError(
            _text(f"「{name}」有", _size_text(size), "，超过", _size_text(max_bytes), "的上限。"),
            code="too_big",
        )
    try:
        found = detect_kind(upload)
    finally:
        upload.seek(0)
    if found not in kinds:
        if hint is None:
            hint = HINTS.get(kinds, "")
        labels = _join_or(KINDS[key].label for key in kinds)
        ending = f"，{hint}" if hint else "。"
        raise ValidationError(_text(f"「{name}」不是", labels, "文件" + ending), code="wrong_kind")
    kind = KINDS[found]
    if extension(name) not in kind.extensions:
        expected = _join_or(kind.extensions)
        raise ValidationError(
            _text(
                f"「{name}」的文件扩展名与内容不符：内容是",
                kind.label,
                "文件，扩展名应为",
                expected,
                "。请核对文件后重新上传。",
            ),
            code="extension_mismatch",
        )
    return found


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class CheckedFilesField(forms.FileField):
    """Several files at once (at most `max_files`, if given), each checked by its content against
    `kinds`. The cleaned value is a list of uploads with `checked_kind` and `safe_name` set."""

    def __init__(self, *, kinds, hint: str | None = None, max_files: int | None = None, **kwargs):
        self.kinds, self.hint, self.max_files = tuple(kinds), hint, max_files
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"multiple": True, "accept": accept_attr(self.kinds)})
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = list(data) if isinstance(data, list | tuple) else ([data] if data else [])
        if self.max_files is not None and len(files) > self.max_files:
            raise forms.ValidationError(f"一次最多上传 {self.max_files} 个文件（选择了 {len(files)} 个）。")
        errors = []
        for upload in files:
            try:
                upload.checked_kind = check_upload(upload, kinds=self.kinds, hint=self.hint)
            except forms.ValidationError as error:
                errors.extend(error.messages)
            upload.safe_name = safe_name(upload.name)
        if errors:
            raise forms.ValidationError(errors)
        return files


class CheckedFileField(forms.FileField):
    """A file field that accepts only ``kinds`` (checked by content) up to ``max_bytes``.

    The cleaned value is the upload, with ``checked_kind`` set to the detected kind.
    """

    required_message = "请选择要上传的文件。"
    default_error_messages = {
        "required": required_message,
        "invalid": "没有收到文件，请重新选择文件后提交。",
        "missing": "没有收到文件，请重新选择文件后提交。",
        "empty": "上传的文件是空文件。",
        "max_length": "文件名最多 %(max)d 个字符（现有 %(length)d 个）。",
        "contradiction": "请选择新文件或勾选清除，不能同时进行。",
    }

    def __init__(self, *, kinds, max_bytes: int = MAX_UPLOAD_BYTES, hint: str | None = None, **kwargs):
        unknown = [key for key in kinds if key not in KINDS]
        if unknown or not kinds:
            raise ValueError(f"Unknown upload kinds: {unknown or kinds!r}")
        self.kinds = tuple(kinds)
        self.max_bytes = max_bytes
        self.hint = hint
        # check_upload refuses empty files with the file's name in the message.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = accept_attr(self.kinds)

    def validate(self, value):
        # Forms using ChineseFormMixin overwrite error_messages["required"] with
        # "请填写{label}。"; for a file the right words are "choose a file".
        if value in self.empty_values and self.required:
            raise ValidationError(self.required_message, code="required")
        super().validate(value)

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if value and value is not initial:
            value.checked_kind = check_upload(
                value, kinds=self.kinds, max_bytes=self.max_bytes, hint=self.hint
            )
        return value


class ScanField(CheckedFileField):
    """A signed and stamped letter: a PDF scan or a JPEG/PNG photo."""

    def __init__(self, *, kinds=SCAN_KINDS, **kwargs):
        super().__init__(kinds=kinds, **kwargs)


# A DTD can declare entities that expand a few bytes into gigabytes, or point outside the file;
# no Excel or WPS workbook carries one, so any part that declares one is refused before openpyxl
# parses it. XML in another encoding than UTF-8 (UTF-16, …) would hide the declaration from a
# byte search, and no spreadsheet program writes its parts that way either.
DTD_MARKS = (b"<!DOCTYPE", b"<!ENTITY")
_XML_SUFFIXES = (".xml", ".rels", ".vml")


def check_workbook_parts(upload, *, name: str, max_unzipped: int) -> None:
    """An .xlsx fit for openpyxl, or ValidationError in plain Chinese: a readable ZIP, not more than
    ``max_unzipped`` bytes once unzipped, and no part in a foreign encoding or with a DTD.

    Reads the ZIP's directory and streams each XML part once; the file position is left at 0.
    """
    unreadable = ValidationError(
        f"「{name}」无法读取：文件已损坏，或不是有效的 Excel（.xlsx）文件。"
        "请用 Excel 或 WPS 打开后另存为 .xlsx 再上传。",
        code="unreadable",
    )
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            if sum(info.file_size for info in members) > max_unzipped:
                raise ValidationError(
                    _text(
                        f"「{name}」解压后过大（超过",
                        _size_text(max_unzipped),
                        "），不像是本页的模板，未读取。请用本页下载的模板填写后上传。",
                    ),
                    code="too_big",
                )
            for info in members:
                if info.filename.lower().endswith(_XML_SUFFIXES) and _declares_dtd(archive, info):
                    raise ValidationError(
                        f"「{name}」中含有 Excel 文件不会有的 XML 声明（DTD/实体），出于安全考虑未读取。"
                        "请用 Excel 或 WPS 打开后另存为 .xlsx 再上传。",
                        code="hostile",
                    )
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        OSError,
        EOFError,
        ValueError,
        RuntimeError,
        NotImplementedError,
    ):
        # RuntimeError: an encrypted part; NotImplementedError: a compression zipfile cannot read.
        raise unreadable from None
    finally:
        upload.seek(0)


def _declares_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether the part declares a DTD, or is in an encoding a byte search cannot see into."""
    overlap = max(len(mark) for mark in DTD_MARKS) - 1
    with archive.open(info) as part:
        head = part.read(4)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
            return True
        tail = head
        while chunk := part.read(64 * 1024):
            window = (tail + chunk).upper()
            if any(mark in window for mark in DTD_MARKS):
                return True
            tail = window[-overlap:]
        return any(mark in tail.upper() for mark in DTD_MARKS)

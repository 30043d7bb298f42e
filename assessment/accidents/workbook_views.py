"""Pages of the accident register's Excel import: upload and preview, confirm, and the template."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from responsibility import exports, pending
from responsibility.access import manager_required

from . import workbook
from .forms import ImportForm

# --- import ----------------------------------------------------------------------------

IMPORT_SCOPE = "accident-import"


def _posted(request):
    return request.POST if request.method == "POST" else None


@manager_required
def accident_import(request):
    """Upload a filled template: every row is checked and shown; nothing is written yet.

    The checked rows are held server-side (responsibility.pending) under a token the page carries
    until the user confirms (accident_import_confirm); a new upload replaces them.
    """
    form = ImportForm(_posted(request), request.FILES if request.method == "POST" else None)
    preview = token = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            preview = form.preview
            token = pending.hold(
                user=request.user,
                scope=IMPORT_SCOPE,
                payload={"name": preview.name, "rows": [row.data for row in preview.valid_rows]},
            )
        else:
            status = 400  # a file that cannot be used at all: said at the field
    return render(
        request,
        "assessment/accident_import.html",
        {"form": form, "preview": preview, "token": token, "columns": workbook.IMPORT_COLUMNS},
        status=status,
    )


@require_POST
@manager_required
def accident_import_confirm(request):
    stash = pending.take(user=request.user, scope=IMPORT_SCOPE, token=request.POST.get("token"))
    if not stash:
        messages.error(request, "这次导入的预览已失效（可能已经导入，或又上传了其他文件），请重新上传文件。")
        return redirect("assessment:accident_import")
    try:
        accidents = workbook.import_accidents(stash["rows"], by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("assessment:accident_import")
    messages.success(
        request, f"已从「{stash['name']}」导入 {len(accidents)} 起事故，等级已按伤亡和损失自动认定。"
    )
    return redirect(reverse("assessment:accident_list"))


@require_GET
@manager_required
def accident_import_template(request):
    response = HttpResponse(workbook.import_template(), content_type=exports.CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = exports.attachment("事故导入模板.xlsx")
    return response

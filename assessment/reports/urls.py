"""URLs of 季度填报, evidence, 审核 and the 季度总览 (included by assessment/urls.py)."""

from django.urls import path

from . import views as report_views
from . import workbook_views as report_import_views

urlpatterns = [
    path("reports/", report_views.report_home, name="report_home"),
    path(
        "reports/<int:unit_pk>/<int:year>/q<int:quarter>/",
        report_views.report_entry,
        name="report_entry",
    ),
    path(
        "reports/<int:unit_pk>/<int:year>/q<int:quarter>/template.xlsx",
        report_import_views.report_template,
        name="report_template",
    ),
    path(
        "reports/<int:unit_pk>/<int:year>/q<int:quarter>/import/",
        report_import_views.report_import_page,
        name="report_import",
    ),
    path(
        "reports/<int:unit_pk>/<int:year>/q<int:quarter>/import/confirm/",
        report_import_views.report_import_confirm,
        name="report_import_confirm",
    ),
    path(
        "reports/<int:unit_pk>/<int:year>/q<int:quarter>/import/failed.xlsx",
        report_import_views.report_import_failed,
        name="report_import_failed",
    ),
    path("evidence/<int:pk>/", report_views.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", report_views.evidence_delete, name="evidence_delete"),
    path("review/", report_views.review_queue, name="review_queue"),
    path("review/<int:pk>/", report_views.report_review, name="report_review"),
    path(
        "review/unit/<int:unit_pk>/<int:year>/q<int:quarter>/",
        report_views.report_review_unit,
        name="report_review_unit",
    ),
    path("review/<int:pk>/reopen/", report_views.report_reopen, name="report_reopen"),
    path("overview/", report_views.quarter_overview, name="quarter_overview"),
    path("overview/lock/", report_views.quarter_lock, name="quarter_lock"),
]

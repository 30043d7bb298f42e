from django.urls import path

from assessment.accidents.urls import urlpatterns as accident_urlpatterns
from assessment.circulars.urls import urlpatterns as circular_urlpatterns
from assessment.exports import views as export_views
from assessment.inspections.urls import urlpatterns as inspection_urlpatterns
from assessment.notices.urls import urlpatterns as inbox_urlpatterns
from assessment.reports import views as report_views
from assessment.reports import workbook_views as report_import_views
from assessment.results import adjustment_views, dashboard_views, finalize_views, ranking_views, veto_views

app_name = "assessment"

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
    path("dashboard/", dashboard_views.dashboard_page, name="dashboard"),
    path("ranking/", ranking_views.ranking_table, name="ranking"),
    path("ranking/print/", ranking_views.ranking_print, name="ranking_print"),
    path("ranking/print.pdf", ranking_views.ranking_pdf, name="ranking_pdf"),
    path(
        "assessment/<int:year>/units/<int:unit_pk>/", ranking_views.unit_assessment, name="assessment_detail"
    ),
    path("assessment/<int:year>/adjustments/", adjustment_views.adjustment_list, name="adjustment_list"),
    path(
        "assessment/adjustments/<int:pk>/delete/",
        adjustment_views.adjustment_delete,
        name="adjustment_delete",
    ),
    path(
        "assessment/<int:year>/units/<int:unit_pk>/deductions/",
        adjustment_views.deduction_list,
        name="deduction_list",
    ),
    path(
        "assessment/deductions/<int:pk>/delete/", adjustment_views.deduction_delete, name="deduction_delete"
    ),
    path("assessment/<int:year>/finalize/", finalize_views.assessment_finalize, name="assessment_finalize"),
    path("assessment/<int:year>/publish/", finalize_views.assessment_publish, name="assessment_publish"),
    path("assessment/<int:year>/reopen/", finalize_views.assessment_reopen, name="assessment_reopen"),
    path("assessment/<int:year>/vetoes/", veto_views.veto_rules, name="veto_rules"),
    path("assessment/<int:year>/what-if/", veto_views.what_if, name="what_if"),
    path("exports/", export_views.data_export_list, name="data_export_list"),
    path("exports/<int:year>/request/", export_views.data_export_request, name="data_export_request"),
    path("exports/<int:pk>/download/", export_views.data_export_download, name="data_export_download"),
    *accident_urlpatterns,
    *circular_urlpatterns,
    *inspection_urlpatterns,
    *inbox_urlpatterns,
]

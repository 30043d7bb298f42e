"""URLs of the year-end assessment: 驾驶舱, ranking, each unit's page, 加减分 and 考核扣分, 定稿, the 一票否决 rules and the what-if (included by assessment/urls.py)."""

from django.urls import path

from . import adjustment_views, dashboard_views, finalize_views, ranking_views, veto_views

urlpatterns = [
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
]

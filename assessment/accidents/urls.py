"""URLs of the accident register (included by assessment/urls.py under the "assessment" namespace)."""

from django.urls import path

from . import views, workbook_views

urlpatterns = [
    path("accidents/", views.accident_list, name="accident_list"),
    path("accidents/counting/<int:pk>/", views.indicator_counting, name="indicator_counting"),
    path("accidents/new/", views.accident_create, name="accident_create"),
    path("accidents/<int:pk>/", views.accident_detail, name="accident_detail"),
    path("accidents/<int:pk>/edit/", views.accident_edit, name="accident_edit"),
    path("accidents/<int:pk>/exemptions/", views.accident_exemption_add, name="accident_exemption_add"),
    path(
        "accidents/<int:pk>/exemptions/<int:exemption_pk>/remove/",
        views.accident_exemption_remove,
        name="accident_exemption_remove",
    ),
    path("accidents/import/", workbook_views.accident_import, name="accident_import"),
    path("accidents/import/confirm/", workbook_views.accident_import_confirm, name="accident_import_confirm"),
    path(
        "accidents/import/template/", workbook_views.accident_import_template, name="accident_import_template"
    ),
]

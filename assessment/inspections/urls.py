"""URLs of inspections and findings (included by assessment/urls.py under the "assessment" namespace)."""

from django.urls import path

from . import finding_views, views

urlpatterns = [
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/new/", views.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/edit/", views.inspection_edit, name="inspection_edit"),
    path("findings/", finding_views.finding_list, name="finding_list"),
    path("findings/<int:pk>/", finding_views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/rectify/", finding_views.finding_rectify, name="finding_rectify"),
    path("findings/<int:pk>/verify/", finding_views.finding_verify, name="finding_verify"),
    path("findings/<int:pk>/reject/", finding_views.finding_reject, name="finding_reject"),
    path("findings/<int:pk>/close/", finding_views.finding_close, name="finding_close"),
    path("findings/files/<int:pk>/", finding_views.finding_file, name="finding_file"),
]

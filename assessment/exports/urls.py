"""URLs of 数据导出 (included by assessment/urls.py)."""

from django.urls import path

from . import views as export_views

urlpatterns = [
    path("exports/", export_views.data_export_list, name="data_export_list"),
    path("exports/<int:year>/request/", export_views.data_export_request, name="data_export_request"),
    path("exports/<int:pk>/download/", export_views.data_export_download, name="data_export_download"),
]

"""URLs of the 通报 (included by assessment/urls.py under the "assessment" namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("circulars/", views.circular_list, name="circular_list"),
    path("circulars/new/", views.circular_create, name="circular_create"),
    path("circulars/<int:pk>/", views.circular_detail, name="circular_detail"),
    path("circulars/<int:pk>/edit/", views.circular_edit, name="circular_edit"),
    path("circulars/<int:pk>/regenerate/", views.circular_regenerate, name="circular_regenerate"),
    path("circulars/<int:pk>/publish/", views.circular_publish, name="circular_publish"),
    path("circulars/<int:pk>/receipts/", views.circular_receipts, name="circular_receipts"),
    path("circulars/<int:pk>/document.pdf", views.circular_pdf, name="circular_pdf"),
]

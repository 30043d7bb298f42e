from django.urls import path

from . import views as inbox_views

urlpatterns = [
    path("inbox/", inbox_views.inbox, name="inbox"),
    path("inbox/<int:pk>/open/", inbox_views.inbox_open, name="inbox_open"),
    path("inbox/<int:pk>/read/", inbox_views.inbox_read, name="inbox_read"),
    path("inbox/read-all/", inbox_views.inbox_read_all, name="inbox_read_all"),
]

from .accident_urls import urlpatterns as accident_urlpatterns

app_name = "assessment"

urlpatterns = [
    *accident_urlpatterns,
]

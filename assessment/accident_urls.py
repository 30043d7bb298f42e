"""URLs of the accident register (included by assessment/urls.py under the "assessment" namespace)."""

urlpatterns: list = []

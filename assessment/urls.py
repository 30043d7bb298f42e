"""The app's URLs: each concern's own, under the "assessment" namespace."""

from assessment.accidents.urls import urlpatterns as accidents
from assessment.circulars.urls import urlpatterns as circulars
from assessment.exports.urls import urlpatterns as exports
from assessment.inspections.urls import urlpatterns as inspections
from assessment.notices.urls import urlpatterns as notices
from assessment.reports.urls import urlpatterns as reports
from assessment.results.urls import urlpatterns as results

app_name = "assessment"

urlpatterns = [*reports, *results, *exports, *accidents, *circulars, *inspections, *notices]

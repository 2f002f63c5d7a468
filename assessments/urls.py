"""Every page of the app under one namespace, `assessments:`; each domain lists its own."""

from __future__ import annotations

from assessments.jobs import urls as jobs_urls
from assessments.reporting import urls as reporting_urls
from assessments.responses import urls as responses_urls
from assessments.rounds import urls as rounds_urls
from assessments.summaries import urls as summaries_urls

app_name = "assessments"
urlpatterns = [
    *responses_urls.urlpatterns,
    *rounds_urls.urlpatterns,
    *summaries_urls.urlpatterns,
    *jobs_urls.urlpatterns,
    *reporting_urls.urlpatterns,
]

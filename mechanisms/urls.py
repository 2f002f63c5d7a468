from __future__ import annotations

from django.urls import path

from mechanisms import views

app_name = "mechanisms"
urlpatterns = [
    path("", views.mechanism_list_view, name="list"),
    path("<str:acronym>/", views.mechanism_detail_view, name="detail"),
]

"""Admin for background jobs: their items, files and errors."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from assessments.access import visible_jobs
from assessments.jobs.models import Job, JobFile, JobItem


class JobFileInline(admin.TabularInline):
    model = JobFile
    extra = 0
    fields = ["name", "file", "content_type", "size", "created_at"]
    readonly_fields = fields
    can_delete = False


class JobItemInline(admin.TabularInline):
    model = JobItem
    extra = 0
    fields = ["key", "status", "error", "finished_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "kind",
        "round",
        "status",
        "percent",
        "requested_by",
        "created_at",
        "finished_at",
    ]
    list_filter = ["kind", "status"]
    list_select_related = ["round", "requested_by"]
    readonly_fields = [f.name for f in Job._meta.fields]
    inlines = [JobFileInline, JobItemInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Job]:
        return super().get_queryset(request).filter(pk__in=visible_jobs(request.user))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Job | None = None) -> bool:
        return False

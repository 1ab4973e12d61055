from django.contrib import admin

from .models import (
    CalibrationRun,
    Membership,
    Outbox,
    ReferenceFormVersion,
    Sitting,
    StudyGroup,
    WeakDomainReport,
)


@admin.register(Sitting)
class SittingAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "user",
        "mode",
        "status",
        "started_at",
        "finished_at",
        "scaled_score",
        "scoring_method",
        "timed_out",
    ]
    list_filter = ["mode", "status", "timed_out", "scoring_method"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    readonly_fields = [f.name for f in Sitting._meta.fields]

    def has_add_permission(self, request):
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(StudyGroup)
class StudyGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "created_at"]
    search_fields = ["name", "owner__username"]
    inlines = [MembershipInline]


@admin.register(WeakDomainReport)
class WeakDomainReportAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "created_at", "answers"]
    search_fields = ["user__username"]
    readonly_fields = [f.name for f in WeakDomainReport._meta.fields]
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    """Work owed after a commit; rows here for long mean no worker or beat is running."""

    list_display = ["id", "kind", "payload", "created_at", "attempts", "last_error"]
    list_filter = ["kind"]
    readonly_fields = ["kind", "payload", "created_at", "available_at", "attempts", "last_error"]

    def has_add_permission(self, request):
        return False


@admin.register(CalibrationRun)
class CalibrationRunAdmin(admin.ModelAdmin):
    """Each calibration and how it was linked to the base scale (progress.calibration)."""

    list_display = [
        "fitted_at",
        "fit_model",
        "fitted",
        "mocks",
        "linking",
        "slope",
        "intercept",
        "anchors",
        "anchor_drift",
    ]
    list_filter = ["linking"]
    readonly_fields = [f.name for f in CalibrationRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # with no run left, the next fit would set a new base scale


@admin.register(ReferenceFormVersion)
class ReferenceFormVersionAdmin(admin.ModelAdmin):
    """Frozen reference forms; a new one is made with `manage.py new_reference_form`."""

    list_display = ["number", "created_at", "created_by", "item_count", "cut_ability", "note"]
    list_select_related = ["created_by"]
    readonly_fields = [f.name for f in ReferenceFormVersion._meta.fields]

    @admin.display(description="questions")
    def item_count(self, obj):
        return len(obj.items)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # sittings name the version that scored them

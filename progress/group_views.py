from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .forms import GroupForm, JoinGroupForm
from .groups import GroupError, get_group_for_member, group_progress, join, leave, remove_member
from .models import StudyGroup
from .views import progress_overview


@login_required
def group_list(request):
    create_form = GroupForm(request.POST if "create" in request.POST else None)
    join_form = JoinGroupForm(request.POST if "join" in request.POST else None)
    if request.method == "POST":
        if "create" in request.POST and create_form.is_valid():
            group = StudyGroup.create(request.user, create_form.cleaned_data["name"])
            messages.success(
                request,
                f"Group created. Share the join code {group.join_code} with your study partners.",
            )
            return redirect(group.get_absolute_url())
        if "join" in request.POST and join_form.is_valid():
            try:
                group = join(request.user, join_form.cleaned_data["code"])
            except GroupError as exc:
                join_form.add_error("code", str(exc))
            else:
                messages.success(
                    request, f"You joined {group.name}: its members now see your progress."
                )
                return redirect(group.get_absolute_url())
    groups = StudyGroup.objects.for_member(request.user).order_by("name")
    return render(
        request,
        "progress/groups.html",
        {
            "groups": groups,
            "create_form": create_form,
            "join_form": join_form,
        },
    )


@login_required
def group_detail(request, pk):
    group = get_group_for_member(request.user, pk)
    return render(
        request,
        "progress/group_detail.html",
        {
            "group": group,
            "progress": group_progress(group),
            "is_owner": group.owner_id == request.user.id,
        },
    )


@login_required
def group_member(request, pk, user_id):
    group = get_group_for_member(request.user, pk)
    if not group.memberships.filter(user_id=user_id).exists():
        raise Http404
    member = get_user_model().objects.get(pk=user_id)
    return render(
        request,
        "progress/group_member.html",
        {"group": group, "member": member, **progress_overview(member)},
    )


@login_required
@require_POST
def group_leave(request, pk):
    group = get_group_for_member(request.user, pk)
    try:
        leave(request.user, group)
    except GroupError as exc:
        messages.error(request, str(exc))
        return redirect(group.get_absolute_url())
    messages.success(request, f"You left {group.name}.")
    return redirect("progress:groups")


@login_required
@require_POST
def group_remove(request, pk, user_id):
    group = get_group_for_member(request.user, pk)
    try:
        remove_member(request.user, group, user_id)
    except GroupError as exc:
        messages.error(request, str(exc))
    return redirect(group.get_absolute_url())


@login_required
@require_POST
def group_rotate_code(request, pk):
    group = get_group_for_member(request.user, pk)
    if group.owner_id != request.user.id:
        raise Http404
    group.rotate_code()
    messages.success(request, "New join code made; the old one no longer works.")
    return redirect(group.get_absolute_url())

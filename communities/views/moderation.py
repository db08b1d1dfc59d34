"""Facilitators and coordinators: hiding and moving posts, pinning and locking threads, the queue of reports."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from communities import permissions, services
from communities.forms import MovePostForm, ResolveReportForm
from communities.models import JoinRequest, Report
from communities.views._common import _page, _require, _visible_post, _visible_thread
from portal.access import login_required


@login_required
@require_POST
def post_moderate(request, pk):
    post = _visible_post(request, pk)
    _require(permissions.can_moderate_post(request.user, post))
    hidden = request.POST.get("action") == "hide"
    services.set_post_hidden(post=post, actor=request.user, hidden=hidden)
    messages.success(request, "The post is hidden from members." if hidden else "The post is visible again.")
    return redirect(post)


@login_required
def post_move(request, pk):
    post = _visible_post(request, pk)
    _require(permissions.can_moderate_post(request.user, post))
    form = MovePostForm(request.POST or None, post=post)
    if request.method == "POST" and form.is_valid():
        to_thread = form.cleaned_data["thread"]
        try:
            services.move_post(
                post=post, to_thread=to_thread, actor=request.user, note=form.cleaned_data["note"]
            )
        except services.CommunityError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"The post is now in “{to_thread.title}”.")
            return redirect(post)
    return render(
        request,
        "communities/post_move.html",
        {"post": post, "thread": post.thread, "community": post.thread.community, "form": form},
    )


THREAD_ACTION_MESSAGES = {
    "pin": "The thread is pinned to the top of the community.",
    "unpin": "The thread is no longer pinned.",
    "lock": "The thread is locked: members can read it but not reply.",
    "unlock": "The thread is open for replies again.",
    "hide": "The thread is hidden from members.",
    "unhide": "The thread is visible to members again.",
}


@login_required
@require_POST
def thread_moderate(request, pk):
    thread = _visible_thread(request, pk)
    _require(permissions.can_moderate_thread(request.user, thread))
    action = request.POST.get("action", "")
    if action not in THREAD_ACTION_MESSAGES:
        messages.error(request, "Choose pin, lock or hide.")
        return redirect(thread)
    services.moderate_thread(thread=thread, actor=request.user, action=action)
    messages.success(request, THREAD_ACTION_MESSAGES[action])
    return redirect(thread)


@login_required
def moderation_queue(request):
    _require(permissions.can_see_moderation_queue(request.user))
    reports = (
        permissions.reports_to_moderate(request.user)
        .filter(resolved=False)
        .select_related("post__author", "post__thread__community", "reporter")
    )
    requests_ = (
        permissions.join_requests_to_moderate(request.user)
        .filter(status=JoinRequest.Status.PENDING)
        .select_related("community")
    )
    pending_by_community = (
        requests_.values("community__title", "community__slug")
        .annotate(n=Count("pk"))
        .order_by("community__title")
    )
    return render(
        request,
        "communities/moderation_queue.html",
        {
            "page": _page(request, reports),
            "pending_by_community": pending_by_community,
            "form": ResolveReportForm(),
        },
    )


@login_required
@require_POST
def report_resolve(request, pk):
    report = get_object_or_404(Report.objects.select_related("post__thread__community"), pk=pk)
    _require(permissions.can_moderate_post(request.user, report.post))
    form = ResolveReportForm(request.POST)
    if form.is_valid():
        services.resolve_report(
            report=report,
            actor=request.user,
            hide_post=form.cleaned_data["hide_post"],
            resolution=form.cleaned_data["resolution"],
        )
        messages.success(request, "The report is resolved.")
    return redirect("communities:moderation-queue")

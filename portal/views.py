from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from portal import dashboard, notifications
from portal.access import can_use_admin, login_required, public, signed_link
from portal.forms import NotificationPreferencesForm, ProfileForm


@public
def home(request):
    return render(request, "portal/home.html")


@login_required
def dashboard_view(request):
    return render(request, "portal/dashboard.html", {"panels": dashboard.panels_for(request)})


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    notify_form = NotificationPreferencesForm(
        request.POST or None,
        initial=notifications.preferences_for(request.user),
        prefix="notify",
        user=request.user,
    )
    if request.method == "POST" and all([form.is_valid(), notify_form.is_valid()]):
        form.save()
        notifications.set_preferences(request.user, notify_form.cleaned_data)
        messages.success(request, "Your profile is saved.")
        return redirect("profile")
    return render(request, "portal/profile.html", {"form": form, "notify_form": notify_form})


@signed_link
@csrf_exempt  # RFC 8058: mail providers POST the one-click link without a session or token
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET asks to confirm; POST (the button, or a mail provider's one-click) turns e-mails off."""
    found = notifications.read_unsubscribe_token(token)
    if found is None:
        return render(request, "portal/unsubscribe_invalid.html", status=404)
    person, category = found
    context = {"person": person, "category_label": notifications.category_label(category)}
    if request.method == "POST":
        notifications.unsubscribe(person, category)
        return render(request, "portal/unsubscribe_done.html", context)
    return render(request, "portal/unsubscribe_confirm.html", context)


@public
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@public
def admin_login(request, extra_context=None):
    """Replaces the admin's own log-in form: everyone signs in through allauth."""
    next_url = request.GET.get("next", "/admin/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/admin/"
    if not request.user.is_authenticated:
        return redirect_to_login(next_url)
    if not can_use_admin(request.user):
        raise PermissionDenied
    return redirect(next_url)


def permission_denied(request, exception=None):
    """The 403 page. A refusal may carry its own page (``template_name`` and ``context``), to say
    more than "not for you": a members-only community says how to join."""
    template = getattr(exception, "template_name", "403.html")
    context = getattr(exception, "context", {})
    return render(request, template, context, status=403)

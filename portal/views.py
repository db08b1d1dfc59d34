from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from portal import dashboard
from portal.access import login_required, public
from portal.forms import ProfileForm


@public
def home(request):
    return render(request, "portal/home.html")


@login_required
def dashboard_view(request):
    return render(request, "portal/dashboard.html", {"panels": dashboard.panels_for(request)})


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile is saved.")
        return redirect("profile")
    return render(request, "portal/profile.html", {"form": form})


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
    if not request.user.is_staff:
        raise PermissionDenied
    return redirect(next_url)

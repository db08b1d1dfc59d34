from django.http import Http404

from portal.access import public


@public
def _not_yet(request, **kwargs):
    raise Http404


catalog = coordinate = application_detail = endorse = team_invitation = assignment_detail = _not_yet
institute_detail = institute_ics = apply = review_queue = _not_yet

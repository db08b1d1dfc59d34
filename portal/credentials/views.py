"""The public documents a verifier elsewhere needs: the portal's keys and its issuer profile."""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET

from portal.access import public
from portal.credentials import badges, keys


def _json(data: dict) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"indent": 2})
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"  # public keys, for verifiers on other sites
    return response


@public
@require_GET
def key_set(request):
    """Every public key the portal's badges may be signed with (a JSON Web Key Set)."""
    return _json({"keys": keys.published_keys()})


@public
@require_GET
def key(request, kid: str):
    """One public key: the document a badge's ``kid`` points at."""
    found = next((k for k in keys.published_keys() if k.get("kid") == kid), None)
    if found is None:
        raise Http404
    return _json(found)


@public
@require_GET
def issuer(request):
    """The issuer profile each badge names."""
    return _json({"@context": [badges.VC_CONTEXT, badges.OB_CONTEXT], **badges.issuer_profile()})

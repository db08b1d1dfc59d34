def navigation(request) -> dict:
    """Role flags for the navigation: each role sees what it can do."""
    user = request.user
    if not user.is_authenticated:
        return {"nav": {"signed_in": False}}
    return {
        "nav": {
            "signed_in": True,
            "coordinator": user.is_coordinator,
            "finance": user.is_finance,
            "admin": user.is_superuser,
        }
    }

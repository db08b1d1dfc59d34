"""The statewide events page and each event's pages (mounted at /events/, namespace "events")."""

from django.urls import path

from communities.views import events

app_name = "events"

urlpatterns = [
    path("", events.event_list, name="list"),
    path("calendars/", events.calendar_feeds, name="calendars"),
    path("feed/<slug:token>.ics", events.calendar_feed, name="feed"),
    path("<int:pk>/", events.event_detail, name="detail"),
    path("<int:pk>/register/", events.event_register, name="register"),
    path("<int:pk>/unregister/", events.event_unregister, name="unregister"),
    path("<int:pk>/calendar.ics", events.event_ics, name="ics"),
    path("<int:pk>/attendance/", events.event_attendance, name="attendance"),
    path("<int:pk>/held/", events.event_held, name="held"),
    path("<int:pk>/materials/", events.event_materials, name="materials"),
    path("<int:pk>/cancel/", events.event_cancel, name="cancel"),
]

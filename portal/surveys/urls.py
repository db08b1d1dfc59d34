from django.urls import path

from portal.surveys import views

app_name = "surveys"
urlpatterns = [
    path("thanks/", views.thanks, name="thanks"),
    path("quotes/", views.quote_queue, name="quote-queue"),
    path("quotes/<int:pk>/review/", views.quote_review, name="quote-review"),
    path("<str:token>/", views.answer, name="answer"),
]

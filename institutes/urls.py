app_name = "institutes"
urlpatterns: list = []

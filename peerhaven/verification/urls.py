
app_name = "verification"

urlpatterns: list = []

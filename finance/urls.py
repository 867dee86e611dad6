from django.urls import path

from . import views

app_name = "finance"

urlpatterns = [
    path("", views.latest_year, name="latest"),
    path("<str:year>/", views.year_detail, name="year"),
]

from django.urls import path

from . import views

app_name = "kpis"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("kpis/<str:ref>/", views.kpi_detail, name="detail"),
]

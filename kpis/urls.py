from django.urls import path

from . import views

app_name = "kpis"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("kpis/<str:ref>/", views.kpi_detail, name="detail"),
    path("kpis/<str:ref>/change-points/", views.approve_change_point, name="approve-change-point"),
    path("kpis/<str:ref>/benchmarks/", views.kpi_benchmarks, name="benchmarks"),
    path("trend/", views.trend_table, name="trend-latest"),
    path("trend/<str:year>/<str:quarter>/", views.trend_table, name="trend"),
]

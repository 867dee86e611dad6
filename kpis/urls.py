from django.urls import path, register_converter

from . import views
from .models import REFERENCE


class ReferenceConverter:
    """A KPI reference in an address: anything else (a NUL, a slash) is not found."""

    regex = REFERENCE

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "ref")

app_name = "kpis"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("kpis/<ref:ref>/", views.kpi_detail, name="detail"),
    path("kpis/<ref:ref>/change-points/", views.approve_change_point, name="approve-change-point"),
    path("kpis/<ref:ref>/benchmarks/", views.kpi_benchmarks, name="benchmarks"),
    path("trend/", views.trend_table, name="trend-latest"),
    path("trend/<str:year>/<str:quarter>/", views.trend_table, name="trend"),
]

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Kpi, Observation


@permission_required("kpis.view_kpi", raise_exception=True)
def overview(request: HttpRequest) -> HttpResponse:
    kpis = list(Kpi.objects.active().select_related("section"))
    latest = {o.kpi_id: o for o in Observation.objects.filter(kpi__is_active=True).latest_per_kpi()}
    rows = [(kpi, latest.get(kpi.pk)) for kpi in kpis]
    return render(request, "kpis/kpi_list.html", {"rows": rows})


@permission_required("kpis.view_kpi", raise_exception=True)
def kpi_detail(request: HttpRequest, ref: str) -> HttpResponse:
    kpi = get_object_or_404(Kpi.objects.select_related("section"), ref=ref)
    observations = list(kpi.observations.order_by("-month"))
    return render(request, "kpis/kpi_detail.html", {"kpi": kpi, "observations": observations})

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("start/", views.start, name="start"),
    path("<str:year>/<str:quarter>/", views.report_detail, name="detail"),
    path("<str:year>/<str:quarter>/edit/", views.report_edit, name="edit"),
    path("<str:year>/<str:quarter>/sections/", views.report_sections, name="sections"),
    path("<str:year>/<str:quarter>/publish/", views.report_publish, name="publish"),
    path("<str:year>/<str:quarter>/workflow/", views.report_workflow, name="workflow"),
    path("<str:year>/<str:quarter>/report.xlsx", views.report_workbook, name="workbook"),
    path("<str:year>/<str:quarter>/report.pdf", views.report_pdf, name="pdf"),
    path("<str:year>/<str:quarter>/report.csv", views.report_csv, name="csv"),
]

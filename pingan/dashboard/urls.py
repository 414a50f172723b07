from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.command_centre, name="home"),
    path("kpis/", views.kpi_table, name="kpis"),
    path("kpis/map.geojson", views.choropleth, name="choropleth"),
    path("active.geojson", views.active_geojson, name="active"),
    path("report.pdf", views.district_report, name="district_report"),
    path("screen/", views.screen, name="screen"),
    path("screen/live/", views.screen_live, name="screen_live"),
    path("balance/", views.balance_page, name="balance"),
    path("balance/map.geojson", views.balance_geojson, name="balance_geojson"),
]

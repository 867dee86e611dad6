from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "sct_portal"
    verbose_name = "Portal"

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bookings"
    verbose_name = _("Requests and dates")

    def ready(self):
        from django.apps import apps

        if apps.is_installed("schooldesk"):
            from schooldesk import calendar

            from .calendar import session_events

            calendar.event_source(session_events)

from django.contrib import admin

from longtide.clients.models import Client
from longtide.practice.admin import PracticeScopedAdmin


@admin.register(Client)
class ClientAdmin(PracticeScopedAdmin):
    list_display = ["full_name", "email", "phone", "practice", "created_at"]
    search_fields = ["first_name", "last_name", "email"]

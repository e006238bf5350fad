from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render


def home(request):
    from egov.dossiers.selectors import most_requested_procedures

    return render(request, "core/home.html", {"popular": most_requested_procedures(limit=8)})


def healthz(request):
    """Liveness and database check for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})

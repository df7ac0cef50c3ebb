"""Every product route, plus ``/__bench/ping``: a trivial Django JSON view (no database),
served through the same middleware, as the framework ceiling of the same run."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from zhongtai.urls import urlpatterns as product_urlpatterns


def ping(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [path("__bench/ping", ping), *product_urlpatterns]

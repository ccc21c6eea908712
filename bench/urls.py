"""The site's URLs plus `/__bench/trivial/`: the framework's ceiling on this machine."""

from django.http import HttpResponse
from django.urls import include, path

from newsroom.urls import handler404  # noqa: F401 (Django reads it from the root URLconf)


def trivial(request):
    return HttpResponse("ok")


# First: "__bench/trivial/" would otherwise match the article pattern <section>/<slug>/.
urlpatterns = [
    path("__bench/trivial/", trivial, name="bench-trivial"),
    path("", include("newsroom.urls")),
]

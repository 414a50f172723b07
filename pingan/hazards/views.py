"""Console pages (placeholder while the full pages are written)."""
from django.http import HttpResponse
from django.views import View


def _todo(*args, **kwargs):
    return HttpResponse("…")


class CaseListView(View):
    def get(self, request):
        return _todo()


create = map_view = stats = stats_export = routes = bulk = detail = act = plan = comment = task = _todo
supervision = resume = photo = _todo

"""Analytics in the console: the charts page and each chart's data as CSV."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from connect_support.analytics.export import chart_csv_lines
from connect_support.analytics.selectors import CHANNELS, CHARTS, RANGES, Filters, analytics_charts, csat_summary
from connect_support.analytics.svg import chart_svg, series_colour
from connect_support.console.access import console_view
from connect_support.helpcenter.models import TOPIC_SLUGS


@never_cache
@console_view("analytics.view")
@require_GET
def analytics(request: HttpRequest) -> HttpResponse:
    filters = Filters.parse(request.GET)
    built = analytics_charts(filters)
    charts = [
        {
            "chart": chart,
            "svg": chart_svg(chart, element_id=f"chart-{chart.slug}"),
            "legend": [(series, series_colour(series, index)) for index, series in enumerate(chart.series)],
        }
        for chart in built
    ]
    context = {
        "nav": "analytics",
        "filters": filters,
        "query_string": urlencode(filters.query()),
        "charts": charts,
        "csat": csat_summary(filters),
        "ranges": RANGES,
        "channels": CHANNELS,
        "topics": [(slug, slug.capitalize()) for slug in TOPIC_SLUGS],
        # The first chart counts every contact once, by channel.
        "contacts_total": int(sum(s.total for s in built[0].series)),
    }
    return render(request, "console/analytics.html", context)


@never_cache
@console_view("analytics.view")
@require_GET
def analytics_csv(request: HttpRequest, slug: str) -> HttpResponse:
    build = CHARTS.get(slug)
    if build is None:
        raise Http404("There is no such chart.")
    filters = Filters.parse(request.GET)
    chart = build(filters)
    # At most 90 rows: written at once (a streamed response would cost a thread hop per row under ASGI).
    response = HttpResponse("".join(chart_csv_lines(chart)), content_type="text/csv; charset=utf-8")
    filename = f"{slug}-{filters.first_day.isoformat()}-{filters.today.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

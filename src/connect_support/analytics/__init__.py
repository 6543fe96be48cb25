"""Support analytics: daily counters of support-site use (searches, article views), the
series behind the console's charts, their SVG rendering and CSV export."""

from . import articles, taxonomy  # noqa: F401  (registers the admin classes)

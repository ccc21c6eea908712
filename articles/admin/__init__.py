from . import articles, intake, taxonomy  # noqa: F401  (registers the admin classes)

"""The HTTP edge: routers, request/response models, dependencies. HTTP errors are raised only here."""

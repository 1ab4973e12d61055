"""Every URL pattern of the project, flattened: used by the bad-input and access-matrix tests."""

from django.urls import URLPattern, URLResolver, get_resolver


def all_routes():
    """[(route, name, {param: converter class name})] for every pattern outside the admin,
    plus ('admin/', 'admin', {}) standing for the admin site. `route` has Django's
    `<conv:name>` placeholders, e.g. 'sittings/<int:pk>/end/'."""
    found = []

    def walk(patterns, prefix, converters):
        for p in patterns:
            route = prefix + str(p.pattern)
            convs = {**converters, **p.pattern.converters}
            if isinstance(p, URLResolver):
                if getattr(p, "app_name", None) == "admin":
                    found.append(("admin/", "admin", {}))
                    continue
                walk(p.url_patterns, route, convs)
            elif isinstance(p, URLPattern):
                found.append((route, p.name, {k: type(v).__name__ for k, v in convs.items()}))

    walk(get_resolver().url_patterns, "", {})
    return found


def fill(route, values):
    """The route with each `<conv:name>` replaced by values[name]."""
    import re

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)

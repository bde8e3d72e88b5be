"""`{{ entry.pk|url_with_id:"cec:certificate" }}`: `{% url "cec:certificate" entry.pk %}`
for a row of a list, without a reverse() per row (renewal_portal/infra/id_urls.py)."""

from django import template

from renewal_portal.infra import id_urls

register = template.Library()


@register.filter
def url_with_id(object_id, name):
    return id_urls.url_with_id(name, object_id)

from django import template

from renewal_portal.infra.money import format_cents

register = template.Library()


@register.filter
def cents(value, currency="usd"):
    """{{ invoice.total_cents|cents }} -> $250.00"""
    return format_cents(value, currency)

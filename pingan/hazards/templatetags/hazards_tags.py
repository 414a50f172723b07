from django import template

register = template.Library()


@register.filter
def attr_of(obj, name: str):
    """{{ plan|attr_of:"methods" }}: a field of an object by name (the plan's six fields in a loop)."""
    return getattr(obj, name, "")

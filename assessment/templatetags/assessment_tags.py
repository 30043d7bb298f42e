from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """{{ row.cells|get_item:code }}: a dict lookup with a key from a variable."""
    return mapping.get(key)

"""A select of many fixed options (the US states) rendered once per process for each
value and set of attributes (issue 19).

Django renders a select's every option through two templates: the contact details
form's 60 states cost most of that page. What the widget writes depends only on its
class and templates, name, value, attributes, required-ness, choices and renderer, which
a deploy fixes; so the first rendering of each combination is Django's own, kept and
given again. Anything that cannot be a key (an attribute that is not a plain value)
renders as Django renders it.
"""

from django import forms

_KEPT = {}
_MOST_KEPT = 2048  # combinations: a state list's 60 values, a few attribute sets each


class Select(forms.Select):
    """forms.Select, rendered once per combination. Named Select: crispy-forms gives a
    widget the CSS class of its class name ("select")."""

    def render(self, name, value, attrs=None, renderer=None):
        try:
            key = (
                type(self),
                self.template_name,
                self.option_template_name,
                name,
                value,
                tuple(sorted(self.attrs.items())),
                tuple(sorted((attrs or {}).items())),
                self.is_required,
                tuple(self.choices),
                type(renderer),
            )
            html = _KEPT.get(key)
        except TypeError:  # a value or attribute that is not hashable
            return super().render(name, value, attrs, renderer)
        if html is None:
            html = super().render(name, value, attrs, renderer)
            if len(_KEPT) < _MOST_KEPT:
                _KEPT[key] = html
        return html

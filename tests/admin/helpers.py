"""Drive the article admin as a browser would: read a form, change some fields, post it back."""

from django import forms
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils.timezone import localtime
from taggit.forms import TagWidget


def change_url(article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


ADD_URL = "/admin/articles/article/add/"
CHANGELIST_URL = "/admin/articles/article/"


def form_data(response) -> dict:
    """The POST a browser would send for the admin form in `response`, unchanged."""
    data = {}
    add_form(data, response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add_form(data, formset.management_form)
        for form in formset.forms:
            add_form(data, form)
    return data


def add_form(data: dict, form) -> None:
    for name, field in form.fields.items():
        bound = form[name]
        value = bound.value()
        widget = field.widget
        if isinstance(field, forms.FileField):
            continue  # a browser sends no file unless one is chosen
        if isinstance(widget, forms.MultiWidget):
            for index, part in enumerate(widget.decompress(value)):
                data[f"{bound.html_name}_{index}"] = "" if part is None else part.isoformat()
        elif isinstance(widget, forms.CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(widget, TagWidget):
            data[bound.html_name] = widget.format_value(value) or ""
        else:
            data[bound.html_name] = "" if value is None else value


def post_change(client, article, **changes):
    """Open the article's change form, change `changes`, save."""
    data = form_data(client.get(change_url(article)))
    data.update(changes)
    return client.post(change_url(article), data)


def add_article(client, **fields):
    data = form_data(client.get(ADD_URL))
    data.update(fields)
    return client.post(ADD_URL, data)


def run_action(client, action: str, *articles):
    return client.post(
        CHANGELIST_URL,
        {"action": action, ACTION_CHECKBOX_NAME: [a.pk for a in articles], "index": 0},
    )


def datetime_input(name: str, moment) -> dict:
    """A time as the admin's split date and time inputs send it, in the site's time zone."""
    if moment is None:
        return {f"{name}_0": "", f"{name}_1": ""}
    local = localtime(moment)
    return {f"{name}_0": local.date().isoformat(), f"{name}_1": local.time().isoformat()}


def form_errors(response) -> dict:
    """{field: [messages]} of the article form in an admin response that did not save."""
    return response.context["adminform"].form.errors

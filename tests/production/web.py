"""Plain HTTP for the scale-out test: a browser's cookies, forms read from HTML.

The servers run with production settings, so their session and CSRF cookies are
`Secure`. As behind a TLS-terminating load balancer, `Browser(behind_tls=True)`
says `X-Forwarded-Proto: https` and keeps secure cookies on the plain connection.
"""

import http.client
from dataclasses import dataclass
from email.message import Message
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode


@dataclass
class Response:
    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def header(self, name: str) -> str:
        return self.headers.get(name, "")


def fetch(address: str, method: str, path: str, body: bytes | None = None, headers=None,
          timeout: float = 30) -> Response:
    host, port = address.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        return Response(answer.status, answer.msg, answer.read())
    finally:
        connection.close()


class Browser:
    """One visitor: keeps cookies across requests to any of the servers (one site)."""

    def __init__(self, behind_tls: bool = False):
        self.behind_tls = behind_tls
        self.cookies: dict[str, str] = {}

    def request(self, address: str, method: str, path: str, form=None, headers=None) -> Response:
        sent = {"Host": address, **(headers or {})}
        if self.behind_tls:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            scheme = "https" if self.behind_tls else "http"
            sent.setdefault("Origin", f"{scheme}://{address}")
            sent.setdefault("Referer", f"{scheme}://{address}{path}")
        response = fetch(address, method, path, body, sent)
        for line in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(line).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, address: str, path: str, headers=None) -> Response:
        return self.request(address, "GET", path, headers=headers)

    def post(self, address: str, path: str, form, headers=None) -> Response:
        return self.request(address, "POST", path, form=form, headers=headers)


class FormReader(HTMLParser):
    """The fields a browser would submit for the form with `form_id`, unchanged, in order."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = (attrs.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value") or "on"))
                return
            self.fields.append((name, attrs.get("value") or ""))
        elif tag == "select" and name and "disabled" not in attrs:
            self._select = {"name": name, "multiple": "multiple" in attrs, "options": []}
        elif tag == "option" and self._select is not None:
            self._option = {"value": attrs.get("value"), "selected": "selected" in attrs, "text": ""}
            self._select["options"].append(self._option)
        elif tag == "textarea" and name and "disabled" not in attrs:
            self._textarea = {"name": name, "text": ""}

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["text"] += data
        elif self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            options = self._select["options"]
            chosen = [option for option in options if option["selected"]]
            if not chosen and options and not self._select["multiple"]:
                chosen = options[:1]
            for option in chosen:
                value = option["value"] if option["value"] is not None else option["text"].strip()
                self.fields.append((self._select["name"], value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = self._textarea["text"]
            # As browsers do, one newline right after <textarea> is not part of the value.
            if text.startswith("\r\n"):
                text = text[2:]
            elif text.startswith("\n"):
                text = text[1:]
            self.fields.append((self._textarea["name"], text))
            self._textarea = None


def form_fields(html: str, form_id: str) -> list[tuple[str, str]]:
    reader = FormReader(form_id)
    reader.feed(html)
    reader.close()
    return reader.fields


def replace(fields: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    """`fields` with the value of each named field replaced; every name must be there."""
    missing = set(values) - {name for name, _ in fields}
    assert not missing, f"the form has no field {sorted(missing)}"
    return [(name, values.get(name, value)) for name, value in fields]

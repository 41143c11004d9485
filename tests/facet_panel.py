"""The search page's filter panel as a visitor's browser reads it: per facet the checkboxes
with their values, counts and ticks, nested as the page nests them; the grade select's
options with their counts."""

import re
from html.parser import HTMLParser

FACET_CLASS = re.compile(r"\bfacet--([\w-]+)")


class _Panel(HTMLParser):
    def __init__(self):
        super().__init__()
        self.facets = {}
        self.items = []  # the open <li> elements: their option, or None
        self.option = None  # the option whose count is being read
        self.badge = None  # "count" or "adds" while inside a count's visible part
        self.depth = 0  # span nesting inside a count

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "fieldset" and (found := FACET_CLASS.search(attrs.get("class", ""))):
            self.current = self.facets.setdefault(found.group(1), [])
        elif tag == "li" and hasattr(self, "current"):
            self.items.append(None)
        elif tag == "input" and attrs.get("type") == "checkbox" and hasattr(self, "current"):
            option = {
                "key": attrs["value"],
                "checked": "checked" in attrs,
                "count": None,
                "adds": None,
                "children": [],
            }
            parents = [item for item in self.items[:-1] if item is not None]
            (parents[-1]["children"] if parents else self.current).append(option)
            self.items[-1] = self.option = option
        elif tag == "span" and self.option is not None:
            classes = attrs.get("class", "").split()
            if self.badge is None and "count" in classes:
                self.badge, self.depth = ("adds" if "count--adds" in classes else "count"), 0
            elif self.badge is not None:
                self.depth += 1
                if "visually-hidden" in classes:
                    self.badge = "done"

    def handle_endtag(self, tag):
        if tag == "fieldset":
            self.__dict__.pop("current", None)
        elif tag == "li" and self.items:
            self.items.pop()
        elif tag == "label":
            self.option, self.badge = None, None

    def handle_data(self, data):
        if self.option is not None and self.badge in ("count", "adds") and data.strip():
            number = int(data.strip().lstrip("+").replace(".", ""))
            self.option[self.badge] = number
            self.badge = "done"


def facet_options(html):
    """{facet name: [option]} of the page ``html``; an option is a dict of its ``key``,
    whether it is ``checked``, its ``count`` or what ticking it ``adds`` (the other None),
    and its ``children``."""
    panel = _Panel()
    panel.feed(html)
    return panel.facets


GRADE_OPTION = re.compile(r'<option value="(\d+)"( selected)?>[^<(]*\(([\d.]+) ')


def grade_options(html):
    """[(grade, count)] of the grade select of the page ``html``."""
    select = html[html.index('<select id="f-grade"') :]
    select = select[: select.index("</select>")]
    return [(int(g), int(n.replace(".", ""))) for g, _s, n in GRADE_OPTION.findall(select)]

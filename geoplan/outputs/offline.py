"""Make a folium map self-contained: Leaflet inlined, no CDN links, raw HTML blocks.

folium links Leaflet, jQuery, Bootstrap and Font Awesome from CDNs. A map for a
meeting room without internet needs none of them: :func:`make_offline` drops those
links and embeds the Leaflet release shipped in ``geoplan/outputs/static/leaflet``
(BSD-2, see its ``LICENSE``), with its images as data URIs. :func:`map_script` is
geoplan's own script for the meeting map (``static/geoplan-map.js``).
"""

from __future__ import annotations

import base64
import functools
import html
import re
from importlib import resources

import folium
from branca.element import Element, Figure

#: Files of the vendored Leaflet release, inside the package.
LEAFLET_FILES = ("leaflet.js", "leaflet.css", "LICENSE")
_IMAGES = ("layers.png", "layers-2x.png", "marker-icon.png")
_URL_ATTRIBUTE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]+)""", re.I)
_CSS_URL = re.compile(r"""url\(\s*["']?((?:https?:)?//[^"')\s]+)""", re.I)
_IMPORT = re.compile(r"""import\s*\(?\s*["']((?:https?:)?//[^"']+)""", re.I)


def escape_text(text: object) -> str:
    """HTML-escape ``text`` and also its braces.

    folium renders the output of each element a second time as a Jinja template, so
    a user string with ``{{ … }}`` or ``{% … %}`` would be run as template code.
    ``&#123;``/``&#125;`` show as braces in the browser and are inert for Jinja.

    Parameters
    ----------
    text : object
        Any value; turned into text first.

    >>> escape_text("<b>{{ 7*7 }}</b>")
    '&lt;b&gt;&#123;&#123; 7*7 &#125;&#125;&lt;/b&gt;'
    """
    return html.escape(str(text)).replace("{", "&#123;").replace("}", "&#125;")


class RawHTML(Element):
    """An HTML block written out as it is.

    folium's ``Element`` treats its text as a Jinja template, so ``{{ … }}`` in a
    user string would be evaluated; this one never is. Escape user text before.
    """

    def __init__(self, html: str) -> None:
        """Keep ``html``, already escaped where it holds user text."""
        super().__init__()
        self.html = html

    def render(self, **kwargs: object) -> str:
        """The HTML as it is; ``kwargs`` (folium's render options) are ignored."""
        return self.html


def _static(name: str) -> bytes:
    return resources.files("geoplan.outputs").joinpath("static", "leaflet", name).read_bytes()


@functools.cache
def leaflet_assets() -> tuple[str, str]:
    """The vendored Leaflet script and stylesheet (images inlined as data URIs)."""
    script = _static("leaflet.js").decode("utf-8")
    style = _static("leaflet.css").decode("utf-8")
    for image in _IMAGES:
        data = base64.b64encode(_static(image)).decode("ascii")
        style = style.replace(f"images/{image}", f"data:image/png;base64,{data}")
    for text, tag in ((script, "</script"), (style, "</style")):
        if tag in text.lower():  # would end the inline block early
            raise RuntimeError(f"vendored Leaflet contains {tag!r}; it cannot be inlined")
    return script, style


@functools.cache
def static_script(name: str) -> str:
    """A script of ``geoplan/outputs/static/`` (``name``), checked to be safe to inline."""
    text = resources.files("geoplan.outputs").joinpath("static", name).read_text(encoding="utf-8")
    if "</script" in text.lower():
        raise RuntimeError(f"{name} contains '</script'; it cannot be inlined")
    return text


def map_script() -> str:
    """geoplan's map script (``static/geoplan-map.js``): panels, fit, legend, labels."""
    return static_script("geoplan-map.js")


def make_offline(fmap: folium.Map) -> folium.Map:
    """Drop folium's CDN links and embed Leaflet in ``fmap``'s page; returns ``fmap``.

    The map must already sit in a :class:`branca.element.Figure`.

    Parameters
    ----------
    fmap : folium.Map
        The map; changed in place.
    """
    figure = fmap.get_root()
    if not isinstance(figure, Figure):
        raise TypeError("add the map to a branca Figure before make_offline")
    fmap.default_js = []
    fmap.default_css = []
    script, style = leaflet_assets()
    figure.header.add_child(RawHTML(f"<style>{style}</style>"), name="leaflet_css_inline")
    figure.header.add_child(RawHTML(f"<script>{script}</script>"), name="leaflet_js_inline")
    return fmap


def stable_ids(root: Element) -> Element:
    """Number every element under ``root`` in tree order instead of random ids.

    folium names each element with a random id (``map_3f2a…``); numbering them makes
    the same map give the same bytes. Returns ``root``.

    Parameters
    ----------
    root : branca Element
        The figure or map; its ids are changed in place.
    """
    counter = 0

    def visit(element: Element) -> None:
        nonlocal counter
        counter += 1
        element._id = f"{counter:04d}"
        for child in list(element._children.values()):
            visit(child)

    visit(root)
    return root


def external_urls(html: str) -> list[str]:
    """Network addresses a page would load by itself (scripts, styles, images, imports).

    Links a person may click (``<a href>``) are not loads and are not listed;
    neither are URL templates inside scripts (such as an optional tile layer).

    Parameters
    ----------
    html : str
        The page.

    Returns
    -------
    list of str
        The addresses, sorted, each once.

    >>> external_urls('<script src="https://cdn.x/l.js"></script><a href="https://a.b">a</a>')
    ['https://cdn.x/l.js']
    """
    without_anchors = re.sub(r"<a\s[^>]*>", "", html, flags=re.I)
    found = [
        *_URL_ATTRIBUTE.findall(without_anchors),
        *_CSS_URL.findall(html),
        *_IMPORT.findall(html),
    ]
    return sorted(set(found))

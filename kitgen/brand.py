"""The brand: colours and fonts as CSS custom properties, and the logo asset."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from kitgen.content.files import load_yaml_mapping
from kitgen.errors import AssetError, ContentError

_COLOR = re.compile(r"#[0-9a-fA-F]{3,8}")
_FONT = re.compile(r"[A-Za-z0-9 \-]+")
_NAME = re.compile(r"[a-z][a-z0-9-]*")


@dataclass(frozen=True)
class Brand:
    name: str
    logo: Path
    colors: dict[str, str]
    fonts: dict[str, str]

    def css_variables(self) -> Markup:
        """``:root { --brand-primary: …; --font-body: "…"; }`` for the stylesheets to use.

        Safe to print unescaped inside ``<style>``: every value was validated on load.
        """
        lines = [f"  --brand-{k}: {v};" for k, v in self.colors.items()]
        lines += [f'  --font-{k}: "{v}";' for k, v in self.fonts.items()]
        return Markup(":root {\n" + "\n".join(lines) + "\n}\n")


def brand_dir(content_dir: Path) -> Path:
    return content_dir / "brand"


def load_brand(content_dir: Path) -> Brand:
    """Read brand.yaml; values are validated so they cannot inject CSS; the logo must exist."""
    path = brand_dir(content_dir) / "brand.yaml"
    raw, _ = load_yaml_mapping(path)
    colors = {str(k): str(v) for k, v in (raw.get("colors") or {}).items()}
    fonts = {str(k): str(v) for k, v in (raw.get("fonts") or {}).items()}
    for key, value in colors.items():
        if not _NAME.fullmatch(key) or not _COLOR.fullmatch(value):
            raise ContentError(f"colour {key!r}: {value!r} is not a #hex colour", path, key=key)
    for key, value in fonts.items():
        if not _NAME.fullmatch(key) or not _FONT.fullmatch(value):
            raise ContentError(f"font {key!r}: {value!r} is not a font family name", path, key=key)
    logo = (brand_dir(content_dir) / str(raw.get("logo", "logo.svg"))).resolve()
    if not logo.is_relative_to(brand_dir(content_dir).resolve()):
        raise ContentError("logo must be a file inside the brand folder", path, key="logo")
    if not logo.is_file():
        raise AssetError(f"brand asset missing: {logo}")
    return Brand(str(raw.get("name", "")), logo, colors, fonts)

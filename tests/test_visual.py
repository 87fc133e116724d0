"""Visual regression: every page of the en, fr, ar and ja kits, rendered to a small greyscale
image and compared with the reviewed one in tests/visual/. A layout or speed change must not
move what is printed; when a change is meant, regenerate and review the images:

    KITGEN_UPDATE_VISUAL=1 scripts/test tests/test_visual.py   # then look at git diff --stat
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops

from kitgen.models import KitRequest
from kitgen.pipeline import build_kit
from kitgen.settings import Settings
from kitgen.storage import FilesystemStorage

pytestmark = pytest.mark.slow
BASELINES = Path(__file__).parent / "visual"
LOCALES = [("us", "en"), ("fr", "fr"), ("eg", "ar"), ("jp", "ja")]
SCALE = 0.5  # 36 dpi: every line of text is still a line of pixels
#: A pixel differs when its grey level moves by more than this (anti-aliasing noise aside)…
LEVEL = 48
#: …and a page differs when more than this share of its pixels do.
SHARE = 0.002


def pages(pdf: bytes) -> list[Image.Image]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [page.render(scale=SCALE).to_pil().convert("L") for page in document]
    finally:
        document.close()


@pytest.mark.parametrize("locale", LOCALES, ids=lambda loc: "-".join(loc))
def test_every_page_looks_as_reviewed(tmp_path: Path, locale: tuple[str, str]) -> None:
    settings = replace(Settings(), store_dir=tmp_path / "store")
    storage = FilesystemStorage(settings.store_dir)
    result = build_kit(KitRequest(*locale, campaign="2026"), settings=settings, storage=storage)
    update = bool(os.environ.get("KITGEN_UPDATE_VISUAL"))
    folder = BASELINES / "-".join(locale)
    problems = []
    for doc in result.documents:
        rendered = pages(storage.get(f"documents/{doc.key}.pdf") or b"")
        for number, image in enumerate(rendered, start=1):
            baseline = folder / f"{doc.kind}-{number}.png"
            if update:
                folder.mkdir(parents=True, exist_ok=True)
                image.save(baseline, optimize=True)
                continue
            if not baseline.exists():
                problems.append(f"{baseline.name}: no reviewed image (regenerate: see module)")
                continue
            reviewed = Image.open(baseline).convert("L")
            if reviewed.size != image.size:
                problems.append(f"{baseline.name}: size {image.size} != {reviewed.size}")
                continue
            diff = ImageChops.difference(image, reviewed).point(lambda v: 255 if v > LEVEL else 0)
            changed = diff.histogram()[255] / (image.width * image.height)
            if changed > SHARE:
                diff.save(tmp_path / f"diff-{doc.kind}-{number}.png")
                problems.append(f"{baseline.name}: {changed:.2%} of pixels moved")
        stale = sorted(folder.glob(f"{doc.kind}-*.png"))[len(rendered) :] if not update else []
        problems += [f"{p.name}: the document no longer has this page" for p in stale]
    assert not problems, f"{'-'.join(locale)} (diffs in {tmp_path}):\n" + "\n".join(problems)

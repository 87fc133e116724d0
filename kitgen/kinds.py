"""The kit's documents, in one registry: everything kitgen knows per kind of document.

Adding a kind means one entry here, its template (``templates/<kind>.html.j2``), its styles
(``styles/<kind>.css``) and its English document; every table that used to be kept per module
(page budgets, personalisation, form labels, legacy calls to action) reads from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from kitgen.uitext import N_


@dataclass(frozen=True)
class Kind:
    name: str
    #: what the web form and the status page call it (a page-catalog message, English here)
    label: str
    #: the most pages it may take; longer text is set tighter (copyfitting), never cut
    page_budget: int | None = None
    #: prints the organizer's personalisation (and its blanks are form fields without it)
    personalised: bool = False
    #: the strings key of its call to action when a legacy page gives only the link
    legacy_cta_label: str = "cta.register"


REGISTRY: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("guide", N_("How-to guide")),
        Kind(
            "brochure",
            N_("Brochure for public officials"),
            page_budget=2,
            legacy_cta_label="cta.officials",
        ),
        Kind(
            "proclamation",
            N_("Sample proclamation"),
            page_budget=2,
            personalised=True,
            legacy_cta_label="cta.resources",
        ),
        Kind("agenda", N_("Event agenda"), page_budget=1, personalised=True),
    )
}
#: The kinds in kit order (the combined PDF, the form, the CLI's --kinds).
KINDS: tuple[str, ...] = tuple(REGISTRY)

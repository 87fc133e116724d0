"""Translating kitgen's own documents through gettext PO segment catalogs."""

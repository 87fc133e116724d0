"""Content sources: kitgen's own documents, strings, countries, campaigns and brand."""

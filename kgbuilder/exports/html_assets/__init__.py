"""The explorer page's template, script and style sheet (data files, read by exports.html)."""
__all__: list[str] = []

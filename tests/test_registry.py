"""The one registry: exporters, result formats and stores, each looked up the same way."""
from __future__ import annotations

import pytest

from kgbuilder import registry
from kgbuilder.errors import ExportError, KGBuilderError, QueryError


@pytest.mark.parametrize("name", registry.names("exporter"))
def test_every_exporter_class_agrees_with_its_registry_entry(name):
    plugin = registry.get("exporter", name)
    cls = plugin.load()
    assert cls.name == name
    assert cls.file_extension == plugin.extensions[0]
    assert cls.media_type == plugin.media_types[0]
    assert (cls.kind == "rdf") == plugin.rdf


@pytest.mark.parametrize("group", registry.GROUPS)
def test_every_plugin_loads(group):
    for plugin in registry.plugins(group).values():
        assert callable(plugin.load()), plugin


def test_unknown_names_get_did_you_mean_and_the_choices():
    with pytest.raises(ExportError, match=r"^unknown format 'turtel' \(did you mean 'turtle'\?\) \(one of: turtle, "):
        registry.get("exporter", "turtle"[:4] + "el", error=ExportError)
    with pytest.raises(QueryError, match=r"^unknown result format 'jsno' \(did you mean 'json'\?\)"):
        registry.get("results", "jsno", error=QueryError, what="result format")
    with pytest.raises(KGBuilderError, match="unknown plugin group 'exporters'"):
        registry.register(registry.Plugin("exporters", "x", "json:dumps"))


def test_lookups_by_extension_and_media_type():
    assert registry.for_extension("exporter", "out/x.TTL").name == "turtle"
    assert registry.for_extension("results", "a.srj").name == "json"
    assert registry.for_extension("results", "noext") is None
    assert registry.for_media_type("results", "application/sparql-results+xml").name == "xml"
    assert registry.for_media_type("exporter", "application/n-quads").name == "nquads"


def test_a_registered_plugin_is_used_by_the_writers(monkeypatch):
    from kgbuilder.sparql.query import QueryResult
    from kgbuilder.sparql.results import format_result

    table = dict(registry.plugins("results"))
    monkeypatch.setattr(registry, "_TABLE", {**registry._TABLE, "results": table})
    registry.register(registry.Plugin("results", "count", "tests.test_registry:_count_rows", (".n",)))
    assert format_result(QueryResult(kind="SELECT", vars=["x"], rows=[(None,), (None,)]), "count") == "2\n"


def _count_rows(result, out, prefixes):
    out.write(f"{len(result.rows)}\n")

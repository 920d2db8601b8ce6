"""Generate a synthetic dataset shaped like the curated ones, at any size.

    python bench/generate.py --facts 100000 --out /tmp/bench-100k

People, states, organizations, posts, places, groups and events (with dates,
places and claims) are YAML entities; the facts (event roles, posts held,
memberships, locations, ages, characterizations, relations), each with a
source and a verbatim-looking quote, go to CSV and JSON Lines files of
5,000 facts each. Some facts name entities by alias, some are claims
(``claimed_by``, ``verification``), some repeat with a second source. Saved
queries in ``queries/`` exercise joins, date filters, GROUP BY and property
paths; they say DISTINCT where a fact two sources state would otherwise
match once per source (a pattern outside GRAPH reads the union of the source
graphs). The output is deterministic for a given ``--facts`` and ``--seed``.
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
from pathlib import Path

__all__ = ["generate"]

FACTS_PER_FILE = 5000
SYLLABLES = ["ka", "za", "nur", "sul", "tan", "ma", "rat", "bek", "al", "ma", "ty", "ok", "ser", "gei",
             "da", "na", "ro", "vi", "ch", "as", "tu", "la", "er", "in", "zh", "an", "ol", "ek"]
WORDS = ("the president said that protesters gathered near the square while officials announced new "
         "measures and police detained dozens of people after clashes in the city center according "
         "to witnesses who spoke on condition of anonymity about prices fuel internet troops alliance "
         "security council government resigned emergency curfew airport seized buildings").split()
EVENT_TYPES = ["Protest", "ViolentProtest", "Clash", "Arrest", "MakeStatement", "Appeal", "Demand",
               "Decide", "Dismiss", "Appoint", "Seize", "RestrictCommunications", "Casualties", "Report"]
ORG_TYPES = ["Organization", "GovernmentBody", "InternationalOrganization", "MediaOrganization"]


def _name(rng: random.Random, i: int) -> str:
    parts = [rng.choice(SYLLABLES) + rng.choice(SYLLABLES) for _ in range(2)]
    return " ".join(p.capitalize() for p in parts) + f" {i}"


def _quote(rng: random.Random, *names: str) -> str:
    words = rng.sample(WORDS, 7)
    return " ".join(words[:3] + [n for n in names if n] + words[3:])


def _date(rng: random.Random) -> str:
    kind = rng.random()
    y = rng.choice((2020, 2021, 2022, 2022, 2022, 2023))
    if kind < 0.8:
        return f"{y}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if kind < 0.95:
        return f"{y}-{rng.randint(1, 12):02d}"
    return str(y)


def _yaml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)     # a JSON string is a valid YAML double-quoted scalar


def generate(facts: int, out: Path, seed: int = 7) -> dict:
    """Write the dataset to ``out`` (replaced); return counts."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "entities").mkdir(parents=True)
    (out / "facts").mkdir()
    (out / "queries").mkdir()
    n_sources = 50
    sources = [f"src-{i:03d}" for i in range(n_sources)]
    lines = ["id: bench", "title: Synthetic benchmark dataset", "base: https://kgbuilder.example/bench/",
             "prefix: bn", "license: CC0-1.0", "language: en", "default_source: src-000", "sources:"]
    for i, sid in enumerate(sources):
        lines += [f"  - id: {sid}", f"    title: Report number {i}", f"    publisher: Wire {i % 7}",
                  f"    date: 2022-{1 + i % 12:02d}-{1 + i % 28:02d}", f"    url: https://news.example/{sid}",
                  "    language: en"]
    (out / "dataset.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def scale(div: int, low: int) -> int:
        return max(low, facts // div)

    ents: dict[str, list[tuple[str, str, str]]] = {}    # kind -> [(id, type, label)]
    aliases: dict[str, str] = {}                       # id -> alias
    ents["state"] = [(f"state-{i}", "State", _name(rng, i)) for i in range(40)]
    ents["place"] = [(f"place-{i}", "City" if i % 4 else "Region", _name(rng, i)) for i in range(scale(2000, 20))]
    ents["org"] = [(f"org-{i}", ORG_TYPES[i % 4], _name(rng, i) + " Council") for i in range(scale(2000, 12))]
    ents["group"] = [(f"group-{i}", "Group", f"Group {i}") for i in range(20)]
    ents["post"] = [(f"post-{i}", "Post", f"Post {i}") for i in range(scale(2000, 10))]
    ents["person"] = [(f"person-{i}", "Person", _name(rng, i)) for i in range(scale(200, 30))]
    ents["event"] = [(f"event-{i}", rng.choice(EVENT_TYPES), f"Event {i}") for i in range(scale(200, 20))]
    for eid, _, label in ents["person"]:
        if rng.random() < 0.5:
            aliases[eid] = "Alias " + label
    agents = ents["person"] + ents["org"] + ents["state"] + ents["group"]
    places = ents["place"] + ents["state"]
    everything = agents + places + ents["post"]

    def write_yaml(name: str, key: str, rows: list[str]) -> None:
        for part in range(0, len(rows), 2000):
            path = out / "entities" / f"{name}-{part // 2000:03d}.yaml"
            path.write_text(f"{key}:\n" + "".join(rows[part:part + 2000]), encoding="utf-8")

    for kind in ("state", "place", "org", "group", "post", "person"):
        rows = []
        for eid, typ, label in ents[kind]:
            extra = f", aliases: [{_yaml_str(aliases[eid])}]" if eid in aliases else ""
            rows.append(f"  - {{id: {eid}, type: {typ}, label: {_yaml_str(label)}{extra}}}\n")
        write_yaml(kind, "entities", rows)
    claimers = [e[0] for e in ents["org"][:10] + ents["person"][:20]]
    rows = []
    for eid, typ, label in ents["event"]:
        src = rng.choice(sources)
        extra = f", claimed_by: {rng.choice(claimers)}" if rng.random() < 0.1 else ""
        rows.append(f"  - {{id: {eid}, type: {typ}, label: {_yaml_str(label)}, date: {_date(rng)}, "
                    f"place: {rng.choice(places)[0]}{extra}, source: {src}, quote: {_yaml_str(_quote(rng, label))}}}\n")
    write_yaml("event", "events", rows)

    def ref(e) -> str:
        eid = e[0]
        return aliases[eid] if eid in aliases and rng.random() < 0.1 else eid

    def one() -> dict:
        r = rng.random()
        f: dict = {}
        if r < 0.40:
            ev = rng.choice(ents["event"])
            role = rng.random()
            if role < 0.45:
                a = rng.choice(agents)
                f = {"subject": ev[0], "predicate": "agent", "object": ref(a)}
            elif role < 0.7:
                t = rng.choice(everything)
                f = {"subject": ev[0], "predicate": "target", "object": ref(t)}
            elif role < 0.85:
                f = {"subject": ev[0], "predicate": "participant", "object": ref(rng.choice(agents))}
            else:
                f = {"subject": ev[0], "predicate": "about", "object": rng.choice(everything)[0]}
            if rng.random() < 0.5:
                f["date"] = _date(rng)
            if rng.random() < 0.3:
                f["place"] = rng.choice(places)[0]
        elif r < 0.55:
            p = rng.choice(ents["person"])
            f = {"subject": ref(p), "predicate": "holdsPost", "object": rng.choice(ents["post"])[0],
                 "start": str(rng.randint(1995, 2021))}
            if rng.random() < 0.3:
                f["end"] = "2022-01-05"
        elif r < 0.65:
            f = {"subject": ref(rng.choice(agents)), "predicate": "memberOf",
                 "object": rng.choice(ents["org"])[0]}   # memberOf's range is Organization
        elif r < 0.70:
            f = {"subject": rng.choice(ents["place"] + ents["org"])[0], "predicate": "locatedIn",
                 "object": rng.choice(places)[0]}
        elif r < 0.73:
            f = {"subject": rng.choice(ents["person"])[0], "predicate": "age", "value": rng.randint(20, 95),
                 "date": _date(rng)}
        elif r < 0.80:
            f = {"subject": rng.choice(everything)[0], "predicate": "characterizedAs",
                 "value": rng.choice(["opposition", "ally", "official", "activist", "veteran", "critic"])}
        elif r < 0.85:
            f = {"subject": rng.choice(ents["post"])[0], "predicate": "postIn",
                 "object": rng.choice(ents["org"])[0]}   # memberOf's range is Organization
        elif r < 0.90:
            a, b = rng.sample(ents["person"], 2)
            f = {"subject": a[0], "predicate": rng.choice(["relativeOf", "predecessorOf"]), "object": b[0]}
        elif r < 0.95:
            f = {"subject": rng.choice(agents)[0], "predicate": "basedIn", "object": rng.choice(places)[0]}
        else:
            f = {"subject": rng.choice(ents["event"])[0], "predicate": rng.choice(["killed", "wounded", "detained"]),
                 "value": rng.randint(0, 400)}
        if rng.random() < 0.1:
            f["claimed_by"] = rng.choice(claimers)
            if rng.random() < 0.3:
                f["verification"] = rng.choice(["unverified", "disputed"])
        f["source"] = rng.choice(sources)
        f["quote"] = _quote(rng, str(f.get("object", "")))
        return f

    columns = ["subject", "predicate", "object", "value", "date", "start", "end", "place", "claimed_by",
               "verification", "source", "quote"]
    written, part, previous = 0, 0, None
    while written < facts:
        n = min(FACTS_PER_FILE, facts - written)
        batch = []
        for _ in range(n):
            if previous is not None and rng.random() < 0.05:
                # the same fact from another source: one statement, two pieces of evidence
                f = dict(previous, source=rng.choice(sources), quote=_quote(rng, "again"))
            else:
                f = one()
            previous = f
            batch.append(f)
        if part % 3 == 2:
            with open(out / "facts" / f"facts-{part:04d}.jsonl", "w", encoding="utf-8") as fh:
                for f in batch:
                    fh.write(json.dumps(f, ensure_ascii=False) + "\n")
        else:
            with open(out / "facts" / f"facts-{part:04d}.csv", "w", encoding="utf-8", newline="") as fh:
                w = csv.DictWriter(fh, columns)
                w.writeheader()
                w.writerows(batch)
        written += n
        part += 1
    for name, text in QUERIES.items():
        (out / "queries" / f"{name}.rq").write_text(text, encoding="utf-8")
    return {"facts": facts, "files": part, "entities": sum(len(v) for v in ents.values())}


QUERIES = {
    "01-members-per-organization": """# Which organizations have the most members?
SELECT ?org (COUNT(DISTINCT ?m) AS ?members) WHERE { ?m kg:memberOf ?org }
GROUP BY ?org ORDER BY DESC(?members) ?org LIMIT 20
""",
    "02-events-in-january-2022": """# Which events happened in January 2022, where?
SELECT DISTINCT ?event ?date ?place WHERE {
  ?event kg:date ?date .
  FILTER(DATATYPE(?date) = xsd:date && ?date >= "2022-01-01"^^xsd:date && ?date < "2022-02-01"^^xsd:date)
  OPTIONAL { ?event kg:place ?place }
} ORDER BY ?date ?event
""",
    "03-claims-by-actor": """# Whose claims are reported, and how many statements each?
SELECT ?claimant (COUNT(DISTINCT ?st) AS ?statements) WHERE { ?st a kg:Statement ; kg:claimedBy ?claimant }
GROUP BY ?claimant ORDER BY DESC(?statements) ?claimant
""",
    "04-places-in-regions": """# How many places and organizations lie (transitively) in each region?
SELECT ?region (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x kg:locatedIn+ ?region . ?region a kg:Region }
GROUP BY ?region ORDER BY DESC(?n) ?region LIMIT 20
""",
    "05-post-holders-by-state": """# Who holds a post in a state, since when?
SELECT DISTINCT ?person ?post ?state ?start WHERE {
  ?person kg:holdsPost ?post . ?post kg:postIn ?state . ?state a kg:State .
  ?st rdf:subject ?person ; rdf:predicate kg:holdsPost ; rdf:object ?post ; kg:start ?start .
} ORDER BY ?state ?person ?post ?start LIMIT 1000
""",
    "06-evidence-for-person-1": """# Every statement about person-1 with its sources and quotes.
SELECT DISTINCT ?p ?o ?source ?quote WHERE {
  ?st rdf:subject bn:person-1 ; rdf:predicate ?p ; rdf:object ?o ;
      kg:evidence [ kg:quote ?quote ; prov:wasDerivedFrom ?src ] .
  ?src kg:id ?source .
} ORDER BY ?p ?o ?source ?quote
""",
    "07-unverified-and-disputed-by-source": """# How many unverified or disputed statements does each source carry?
SELECT ?source ?status (COUNT(DISTINCT ?st) AS ?n) WHERE {
  ?st kg:verification ?status ; prov:wasDerivedFrom ?src . ?src kg:id ?source .
} GROUP BY ?source ?status ORDER BY ?source ?status
""",
    "08-events-by-type": """# How many events of each type, and how many distinct agents?
SELECT ?type (COUNT(DISTINCT ?e) AS ?events) (COUNT(DISTINCT ?a) AS ?agents) WHERE {
  ?e kg:directType ?type ; kg:agent ?a ; kg:id ?id .
} GROUP BY ?type ORDER BY DESC(?events) ?type
""",
    "09-alias-lookup": """# Which entities have an alias mentioning "Nur"?
SELECT DISTINCT ?e ?alias WHERE { ?e skos:altLabel ?alias . FILTER(CONTAINS(LCASE(STR(?alias)), "nur")) }
ORDER BY ?e ?alias LIMIT 500
""",
    "10-who-did-what-on-a-day": """# Who did what on 2022-01-05?
SELECT DISTINCT ?event ?type ?agent WHERE {
  ?event kg:date "2022-01-05"^^xsd:date ; kg:directType ?type ; kg:agent ?agent .
} ORDER BY ?event ?agent ?type
""",
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--facts", type=int, required=True, help="number of fact rows")
    ap.add_argument("--out", type=Path, required=True, help="output folder (replaced)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if args.facts < 1:
        ap.error("--facts must be at least 1")
    print(json.dumps(generate(args.facts, args.out, args.seed)))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Draft JSON Schemas (2020-12) from real output: reads the JSON documents
that scripts/json-samples.sh prints (stdin) and writes, per command, the
schema their union implies into docs/schema/ — every key present in all
samples is required, each value's types are the ones seen, enumerations
named in ENUMS are closed. New keys stay allowed (docs/json.md: fields may
be added at any time). A draft is reviewed before it is kept; the schema
test (tests/it/json_schema.rs) then holds the output to it."""
import json, sys, os

# Fields whose values are a closed set (docs/json.md lists them).
# Left open here: a sample rarely holds every value, and a schema that
# rejects a documented value is worse than none.
ENUMS = set()

def kind(v):
    if v is None: return "null"
    if isinstance(v, bool): return "boolean"
    if isinstance(v, int): return "integer"
    if isinstance(v, float): return "number"
    if isinstance(v, str): return "string"
    if isinstance(v, list): return "array"
    return "object"

def infer(values, name=None):
    types = sorted({kind(v) for v in values})
    if "integer" in types and "number" in types:
        types.remove("integer")
    s = {}
    if types == ["null"]:
        # Only ever null in the samples: its type when set is not known here.
        return {"description": "null in every sample"}
    if len(types) == 1:
        s["type"] = types[0]
    else:
        s["type"] = types
    objs = [v for v in values if isinstance(v, dict)]
    if objs:
        keys = sorted({k for o in objs for k in o})
        s["properties"] = {k: infer([o[k] for o in objs if k in o], k) for k in keys}
        req = [k for k in keys if all(k in o for o in objs)]
        if req:
            s["required"] = req
    arrs = [v for v in values if isinstance(v, list)]
    items = [x for a in arrs for x in a]
    if items:
        s["items"] = infer(items, name)
    strs = sorted({v for v in values if isinstance(v, str)})
    if name in ENUMS and strs and len(strs) <= 40:
        s["enum"] = strs + (["null"] if False else [])
        if "null" in types:
            s["enum"].append(None)
    return s

def docs(text):
    dec = json.JSONDecoder()
    i = 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return
        v, i = dec.raw_decode(text, i)
        yield v

def main():
    by = {}
    for d in docs(sys.stdin.read()):
        by.setdefault(d.get("command"), []).append(d)
    out = sys.argv[1] if len(sys.argv) > 1 else "docs/schema"
    os.makedirs(out, exist_ok=True)
    for cmd, ds in sorted(by.items()):
        s = infer(ds)
        s["properties"]["command"] = {"const": cmd}
        s["properties"]["schema_version"] = {"const": 1}
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                  "$id": f"https://mynacard.invalid/schema/{cmd.replace(' ', '-')}.schema.json",
                  "title": f"mynacard --json {cmd}" if cmd != "error" else "mynacard --json error object"}
        schema.update(s)
        path = os.path.join(out, cmd.replace(" ", "-") + ".schema.json")
        with open(path, "w") as f:
            json.dump(schema, f, indent=2, ensure_ascii=False)
            f.write("\n")
        print(path, len(ds), "samples")

main()

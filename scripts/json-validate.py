#!/usr/bin/env python3
"""An independent judge of the JSON contract: reads the documents that
scripts/json-samples.sh prints (stdin, one after another) and validates each
against docs/schema/<command>.schema.json with the Python `jsonschema`
package (Draft 2020-12), the one Debian ships as python3-jsonschema.
Exits 1 on the first document that does not validate."""
import json, os, sys
from jsonschema import Draft202012Validator

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "schema")
text = sys.stdin.read()
dec = json.JSONDecoder()
i, seen, validators = 0, {}, {}
while True:
    while i < len(text) and text[i].isspace():
        i += 1
    if i >= len(text):
        break
    doc, i = dec.raw_decode(text, i)
    command = doc.get("command")
    if command not in validators:
        path = os.path.join(root, command.replace(" ", "-") + ".schema.json")
        with open(path) as f:
            schema = json.load(f)
        Draft202012Validator.check_schema(schema)
        validators[command] = Draft202012Validator(schema)
    errors = sorted(validators[command].iter_errors(doc), key=lambda e: list(e.path))
    if errors:
        for e in errors:
            print(f"json-validate: {command}: {e.message} at /{'/'.join(map(str, e.path))}", file=sys.stderr)
        sys.exit(1)
    seen[command] = seen.get(command, 0) + 1
if not seen:
    print("json-validate: no documents on stdin", file=sys.stderr)
    sys.exit(1)
print("json-validate: " + ", ".join(f"{k} {v}" for k, v in sorted(seen.items())))

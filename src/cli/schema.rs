//! The JSON contract: every document the tool prints is a typed value that
//! implements `Document`; its schema in `docs/schema/` is generated from the
//! type (`schemas`), and a test fails when the checked-in file is stale.

use schemars::generate::SchemaSettings;
use schemars::transform::{transform_subschemas, Transform};
use schemars::{JsonSchema, Schema};
use serde::Serialize;
use serde_json::{json, Value};

/// Version of every JSON document the tool prints (docs/json.md). Raised
/// whenever a change can break a script (written in CHANGELOG.md).
pub const SCHEMA_VERSION: u32 = 2;

/// A JSON document's body: the `command` it is printed under, which is also
/// the name of its schema file (`pin status` → `pin-status.schema.json`).
pub trait Document: Serialize + JsonSchema {
    const COMMAND: &'static str;
}

/// Every object is closed: a field the type does not declare is an error
/// (so a schema cannot drift from what is printed).
#[derive(Clone)]
struct Closed;

impl Transform for Closed {
    fn transform(&mut self, schema: &mut Schema) {
        if let Some(obj) = schema.as_object_mut() {
            if obj.contains_key("properties") && !obj.contains_key("additionalProperties") {
                obj.insert("additionalProperties".into(), Value::Bool(false));
            }
        }
        transform_subschemas(self, schema);
    }
}

/// The schema of `D`'s documents, with the envelope every document has.
pub fn schema_of<D: Document>() -> Value {
    let settings = SchemaSettings::draft2020_12()
        .for_serialize()
        .with_transform(Closed);
    let schema = settings.into_generator().into_root_schema_for::<D>();
    let mut v = schema.to_value();
    inline_root_ref(&mut v);
    let file = D::COMMAND.replace(' ', "-");
    if let Some(obj) = v.as_object_mut() {
        obj.insert(
            "$id".into(),
            format!("https://mynacard.invalid/schema/{file}.schema.json").into(),
        );
        obj.insert(
            "title".into(),
            format!("mynacard --json: {}", D::COMMAND).into(),
        );
        // An untagged document (one of several shapes) is closed in each
        // shape: each takes the envelope's fields too.
        for alt in ["anyOf", "oneOf"] {
            if let Some(Value::Array(shapes)) = obj.get_mut(alt) {
                for shape in shapes.iter_mut().filter_map(Value::as_object_mut) {
                    add_envelope::<D>(shape);
                }
            }
        }
        add_envelope::<D>(obj);
        let req = obj.entry("required").or_insert_with(|| json!([]));
        if let Some(r) = req.as_array_mut() {
            r.insert(0, "command".into());
            r.insert(0, "schema_version".into());
        }
    }
    v
}

/// The fields every document has besides its body's.
fn add_envelope<D: Document>(obj: &mut serde_json::Map<String, Value>) {
    let Some(p) = obj
        .entry("properties")
        .or_insert_with(|| json!({}))
        .as_object_mut()
    else {
        return;
    };
    p.insert("schema_version".into(), json!({ "const": SCHEMA_VERSION }));
    p.insert("command".into(), json!({ "const": D::COMMAND }));
    p.insert(
        "reader".into(),
        json!({ "type": "string", "description": "status --watch: the reader this line is about" }),
    );
    p.insert(
        "at".into(),
        json!({ "type": "string", "description": "status --watch: when this line was written (RFC 3339, JST)" }),
    );
}

/// A document that is a newtype of a named type has a root that only
/// refers to it: bring that definition up, so that the envelope's fields
/// stand beside its own under one `additionalProperties: false`.
fn inline_root_ref(v: &mut Value) {
    let Some(obj) = v.as_object_mut() else { return };
    let Some(Value::String(r)) = obj.get("$ref").cloned() else {
        return;
    };
    let Some(name) = r.strip_prefix("#/$defs/") else {
        return;
    };
    let def = obj
        .get_mut("$defs")
        .and_then(|d| d.as_object_mut())
        .and_then(|d| d.remove(name));
    if let Some(Value::Object(def)) = def {
        obj.remove("$ref");
        for (k, val) in def {
            obj.entry(k).or_insert(val);
        }
        if obj
            .get("$defs")
            .and_then(|d| d.as_object())
            .is_some_and(|d| d.is_empty())
        {
            obj.remove("$defs");
        }
    }
}

/// The documents with a published schema: (command, schema).
pub fn schemas() -> Vec<(&'static str, Value)> {
    use crate::cli::commands as c;
    fn one<D: Document>() -> (&'static str, Value) {
        (D::COMMAND, schema_of::<D>())
    }
    vec![
        one::<c::status::StatusDoc>(),
        one::<c::status::WatchEvent>(),
        one::<c::pin::PinStatusDoc>(),
        one::<c::pin::PinVerifyDoc>(),
        one::<c::pin::PinChangeDoc>(),
        one::<c::readers::ReadersReport>(),
        one::<c::doctor::DoctorDoc>(),
        one::<c::info::InfoDoc>(),
        one::<c::cert::CertDoc>(),
        one::<c::prove::ProveDoc>(),
        one::<c::face::FaceCheckDoc>(),
        one::<c::age::AgeCheckDoc>(),
        one::<c::sign::SignDoc>(),
        one::<c::sign::VerifyDoc>(),
        one::<c::pdf::PdfSignDoc>(),
        one::<c::pdf_verify::PdfVerifyDoc>(),
        one::<super::output::ErrorDoc>(),
    ]
}

/// The schema file of a command (`pin status` → `pin-status.schema.json`).
pub fn file_name(command: &str) -> String {
    format!("{}.schema.json", command.replace(' ', "-"))
}

/// The text checked in for a schema: pretty, with a final newline.
pub fn file_text(schema: &Value) -> String {
    let mut s = serde_json::to_string_pretty(schema).unwrap_or_default();
    s.push('\n');
    s
}

//! A calendar day in JSON: `YYYY-MM-DD` on the wire, a `time::Date` in the
//! types until then (the schema says `format: date`).

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::Serializer;
use std::borrow::Cow;
use time::Date;

/// The schema of a day (use with `#[schemars(with = "IsoDate")]`).
pub struct IsoDate;

impl JsonSchema for IsoDate {
    fn schema_name() -> Cow<'static, str> {
        "IsoDate".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" })
    }

    fn inline_schema() -> bool {
        true
    }
}

/// `#[serde(serialize_with = "day::iso")]`.
pub fn iso<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

/// `#[serde(serialize_with = "day::iso_opt")]`.
pub fn iso_opt<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.collect_str(d),
        None => s.serialize_none(),
    }
}

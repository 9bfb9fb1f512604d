//! Reading profile text: TOML parse errors with the line and the field,
//! and `base = "builtin"` / `base = "FILE"` layering of one profile on
//! another (at most a few levels deep).

use super::{err, ProfileError, BUILTIN_PROFILE_TOML};
use std::path::Path;

/// A TOML error without the profile's text: no quoted line, and no value
/// (a PIN, the number) — only the field names and where.
pub(super) fn toml_error(e: &toml::de::Error, src: Option<&str>) -> ProfileError {
    let mut msg = String::new();
    let mut rest = e.message();
    while let Some(i) = rest.find('`') {
        msg.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        let Some(j) = rest.find('`') else { break };
        let token = &rest[..j];
        let is_name = !token.is_empty()
            && token
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.' || c == '-');
        msg.push_str(if is_name { token } else { "…" });
        msg.push('`');
        rest = &rest[j + 1..];
    }
    msg.push_str(rest);
    // The field, when the error knows it ("in `pins.auth.value`").
    let shown = e.to_string();
    let field = shown
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("in `").and_then(|l| l.strip_suffix('`')))
        .filter(|f| {
            f.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        });
    let at = match (field, e.span(), src) {
        (Some(f), _, _) => format!("{f}: "),
        (None, Some(span), Some(src)) => {
            let line = src[..span.start.min(src.len())].matches('\n').count() + 1;
            format!("line {line}: ")
        }
        _ => String::new(),
    };
    ProfileError(format!("{at}{}", msg.trim_end()))
}

pub(super) fn parse_value(s: &str) -> Result<toml::Table, ProfileError> {
    s.parse::<toml::Table>()
        .map_err(|e| toml_error(&e, Some(s)))
}

pub(super) fn merged(path: &Path, depth: u32) -> Result<toml::Table, ProfileError> {
    let b = crate::platform::files::read_limited(path, crate::platform::files::limit::PROFILE)
        .map_err(|e| match depth {
            0 => ProfileError(format!("cannot read it: {e}")),
            _ => ProfileError(format!("{}: cannot read it: {e}", path.display())),
        })?;
    let s = String::from_utf8(b)
        .map_err(|_| ProfileError(format!("{}: is not UTF-8 text", path.display())))?;
    // The top profile's name is given by the caller; a `base` names its own.
    let v = parse_value(&s).map_err(|e| match depth {
        0 => e,
        _ => ProfileError(format!("{}: {e}", path.display())),
    })?;
    with_base(v, path.parent(), depth)
}

/// Apply `base`: the named profile, with this one's tables merged over it.
pub(super) fn with_base(
    mut v: toml::Table,
    dir: Option<&Path>,
    depth: u32,
) -> Result<toml::Table, ProfileError> {
    let Some(base) = v.remove("base") else {
        return Ok(v);
    };
    if depth > 8 {
        return Err(err("base", "profiles extend each other in a loop"));
    }
    let mut b = match base.as_str() {
        Some("builtin") => parse_value(BUILTIN_PROFILE_TOML)?,
        Some(rel) => match dir {
            Some(d) => merged(&d.join(rel), depth + 1)?,
            None => return Err(err("base", "only \"builtin\" is possible here")),
        },
        None => return Err(err("base", "expected \"builtin\" or a file name")),
    };
    merge(&mut b, v);
    Ok(b)
}

pub(super) fn merge(into: &mut toml::Table, from: toml::Table) {
    for (k, v) in from {
        match (into.get_mut(&k), v) {
            (Some(toml::Value::Table(a)), toml::Value::Table(b)) => merge(a, b),
            (_, v) => {
                into.insert(k, v);
            }
        }
    }
}

//! `app.crm_url`: the URL template of the CRM page that a `host_in_flex`
//! plugin frames for each task, e.g.
//! `https://crm.example.com/flex?task={task.taskSid}`.
//!
//! The origin is written out (never a placeholder) and must be one the
//! plugin trusts; each `{task.…}` placeholder names a task value the
//! catalog knows, a string or a number, which the plugin percent-encodes
//! (`encodeURIComponent`) into the URL. The literal text may hold only the
//! characters a URL holds as they are, so the template cannot smuggle
//! markup, spaces or quotes into the frame's `src`.

use super::{resolve_source, ListenContext};
use crate::ir::{CrmUrl, SourceRoot, Subject, UrlPart, ValueType};
use crate::vocabulary::CRM_URL_ROOT;

/// Why a template is refused: (message, label, help).
pub type UrlError = (String, &'static str, String);

/// Parses and checks `template`; `origins` are the origins the plugin may
/// trust (`host_origins` and `dev_host_origins`).
pub fn parse(template: &str, origins: &[&str]) -> Result<CrmUrl, UrlError> {
    let example = "e.g. `https://crm.example.com/flex?task={task.taskSid}`";
    let Some((scheme, rest)) = template.split_once("://") else {
        return Err((
            format!("`{template}` is not an absolute URL"),
            "no scheme",
            format!("write the CRM page's full URL, {example}"),
        ));
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let origin = format!("{scheme}://{}", &rest[..end]);
    if origin.contains(['{', '}']) {
        return Err((
            format!("the origin of `{template}` holds a placeholder"),
            "placeholder in the origin",
            "write the origin out: the plugin frames only pages of an origin it trusts; \
             placeholders belong in the path, query or fragment"
                .into(),
        ));
    }
    if !origins.contains(&origin.as_str()) {
        return Err((
            format!("the CRM page's origin `{origin}` is not a host origin"),
            "not in `host_origins`",
            format!(
                "add `{origin}` to `host_origins` (or, for a page on this machine, \
                 `dev_host_origins`), or point `crm_url` at one of the listed origins: \
                 the plugin talks only to the origins it trusts"
            ),
        ));
    }
    let parts = parts(&rest[end..])?;
    Ok(CrmUrl {
        template: template.to_string(),
        origin,
        parts,
    })
}

/// Splits what follows the origin into literal text and task values.
fn parts(tail: &str) -> Result<Vec<UrlPart>, UrlError> {
    let mut parts = Vec::new();
    let mut rest = tail;
    while !rest.is_empty() {
        let Some(open) = rest.find(['{', '}']) else {
            parts.push(UrlPart::Text(text(rest)?));
            break;
        };
        if open > 0 {
            parts.push(UrlPart::Text(text(&rest[..open])?));
        }
        let after = &rest[open..];
        let close = match (after.starts_with('{'), after.find('}')) {
            (true, Some(close)) => close,
            _ => {
                return Err((
                    "`crm_url` has an unmatched brace".into(),
                    "unmatched `{` or `}`",
                    "write each placeholder as `{task.…}`, e.g. `{task.taskSid}`; a literal \
                     brace is `%7B` or `%7D`"
                        .into(),
                ))
            }
        };
        parts.push(UrlPart::Task(placeholder(&after[1..close])?));
        rest = &after[close + 1..];
    }
    Ok(parts)
}

/// Literal URL text: only the characters a URL holds unencoded (RFC 3986's
/// unreserved and reserved ones, and `%` escapes).
fn text(literal: &str) -> Result<String, UrlError> {
    let fits = |c: char| c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c);
    if let Some(bad) = literal.chars().find(|c| !fits(*c)) {
        return Err((
            format!("`crm_url` holds {bad:?}, which a URL cannot hold as it is"),
            "not a URL character",
            "percent-encode it (a space is `%20`), or take the value from the task with a \
             placeholder such as `{task.attributes.crm_id}`, which the plugin encodes"
                .into(),
        ));
    }
    Ok(literal.to_string())
}

/// `task.attributes.crm_id` -> `["attributes", "crm_id"]`, when the catalog
/// knows it as a string or a number of the task.
fn placeholder(path: &str) -> Result<Vec<String>, UrlError> {
    let task = ListenContext {
        subject: Subject::Task,
        action: None,
    };
    if path.split('.').next() != Some(CRM_URL_ROOT) {
        return Err((
            format!("`{{{path}}}` is not a task value"),
            "not `task.…`",
            "placeholders read the task the agent has selected, e.g. `{task.taskSid}`, \
             `{task.sid}` or `{task.attributes.crm_id}`"
                .into(),
        ));
    }
    let (source, _) = resolve_source(path, &task)?;
    debug_assert_eq!(source.root, SourceRoot::Task);
    match source.value_type {
        ValueType::String | ValueType::Number | ValueType::Unknown => Ok(source.segments),
        ValueType::Boolean | ValueType::Date => Err((
            format!("`{{{path}}}` is not text or a number"),
            "not text",
            "name a string or number of the task, e.g. `{task.taskSid}`".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGINS: &[&str] = &["https://crm.example.com", "http://localhost:8080"];

    fn task(path: &[&str]) -> UrlPart {
        UrlPart::Task(path.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn splits_text_and_task_values() {
        let url = parse(
            "https://crm.example.com/flex?task={task.taskSid}&id={task.attributes.crm_id}",
            ORIGINS,
        )
        .unwrap();
        assert_eq!(url.origin, "https://crm.example.com");
        assert_eq!(
            url.parts,
            [
                UrlPart::Text("/flex?task=".into()),
                task(&["taskSid"]),
                UrlPart::Text("&id=".into()),
                task(&["attributes", "crm_id"]),
            ]
        );
        let bare = parse("http://localhost:8080", ORIGINS).unwrap();
        assert!(bare.parts.is_empty());
    }

    #[test]
    fn refuses_what_could_leave_the_trusted_origin_or_carry_markup() {
        for (bad, why) in [
            ("crm.example.com/flex", "not an absolute URL"),
            ("https://{task.sid}.example.com/", "holds a placeholder"),
            ("https://crm.example.com.evil.test/", "not a host origin"),
            ("https://crm.example.com:443/", "not a host origin"),
            ("https://crm.example.com/a b", "cannot hold"),
            ("https://crm.example.com/\"><script>", "cannot hold"),
            ("https://crm.example.com/{task.taskSid", "unmatched brace"),
            ("https://crm.example.com/}", "unmatched brace"),
            (
                "https://crm.example.com/{worker.identity}",
                "not a task value",
            ),
            ("https://crm.example.com/{task.nope}", "unknown field"),
            (
                "https://crm.example.com/{task.attributes.__proto__}",
                "cannot be read",
            ),
            ("https://crm.example.com/{task.dateCreated}", "not text"),
        ] {
            let err = parse(bad, ORIGINS).expect_err(bad);
            assert!(err.0.contains(why), "{bad}: {err:?}");
        }
    }
}

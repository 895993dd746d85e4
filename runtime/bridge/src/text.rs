//! Text. The bridge builds its few messages by hand: `format!` and the
//! `Display` of numbers would bring `core::fmt`'s machinery into the `.wasm`
//! (several KB of it), for texts nobody reads in a hot path.

/// The pieces, joined.
pub(crate) fn cat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// `n` in decimal.
pub(crate) fn decimal(n: u64) -> String {
    digits(n, 10, 1)
}

/// `n` in lowercase hex, at least `width` digits.
pub(crate) fn hex(n: u64, width: u32) -> String {
    digits(n, 16, width)
}

pub(crate) fn digits(n: u64, radix: u64, width: u32) -> String {
    let mut out = if n >= radix || width > 1 {
        digits(n / radix, radix, width.saturating_sub(1))
    } else {
        String::new()
    };
    let d = (n % radix) as u8;
    out.push(char::from(if d < 10 { b'0' + d } else { b'a' + d - 10 }));
    out
}

/// A key quoted as `JSON.stringify` would, for messages about unknown keys.
pub(crate) fn quote(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 2);
    out.push('"');
    for c in key.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                out.push_str("\\u");
                out.push_str(&hex(u64::from(c), 4));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Length in UTF-16 code units, as JavaScript's `length` counts.
pub(crate) fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

//! Spec file -> text: a bounded read, then a check that the bytes are UTF-8.
//!
//! The path may name anything: a FIFO that never ends, `/dev/zero`, a file of
//! gigabytes, a UTF-16 file saved by a Windows editor. Reading stops one byte
//! past the limit, so none of them can hang the run or fill memory, and bytes
//! that are not UTF-8 get a located report instead of an I/O error.

use std::fs::File;
use std::io::{self, Read as _};
use std::path::Path;

use crate::diag::{Diagnostic, Diagnostics};
use crate::spec::MAX_INPUT_BYTES;

/// Why a spec could not be turned into text.
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be read at all (missing, a folder, no permission).
    Io(io::Error),
    /// It was read, but is not a spec's text: too large or not UTF-8.
    Invalid(Diagnostics),
}

/// Reads the spec at `path` (named `shown` in messages) as UTF-8 text.
pub fn load(path: &Path, shown: &str) -> Result<String, LoadError> {
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|file| {
            file.take(MAX_INPUT_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
        })
        .map_err(LoadError::Io)?;
    decode(shown, bytes).map_err(LoadError::Invalid)
}

/// The bytes of a spec as text, or the one diagnostic saying why they are not.
/// A leading UTF-8 byte order mark is kept: the YAML parser skips it, and
/// spans stay byte offsets into the file as it is on disk.
pub fn decode(shown: &str, bytes: Vec<u8>) -> Result<String, Diagnostics> {
    let refuse = |source: &str, d: Diagnostic| Diagnostics::new(shown, source, vec![d]);
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(refuse(
            "",
            Diagnostic::new(
                format!(
                    "{shown} is larger than a spec can be: reading stopped at byte {MAX_INPUT_BYTES}"
                ),
                None,
            )
            .help(format!(
                "a spec is at most {MAX_INPUT_BYTES} bytes (16 MiB): check that the path names \
                 your triggers.yaml"
            )),
        ));
    }
    if let Some(encoding) = wide_encoding(&bytes) {
        return Err(refuse(
            "",
            Diagnostic::new(
                format!("{shown} is {encoding} text, not UTF-8 (from byte 0)"),
                None,
            )
            .help(
                "save the file as UTF-8 (in the editor's Save As or encoding menu), then run again",
            ),
        ));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(error) => {
            let bytes = error.as_bytes();
            let at = error.utf8_error().valid_up_to();
            let len = error.utf8_error().error_len().unwrap_or(bytes.len() - at);
            let shown_bytes: Vec<String> = bytes[at..at + len]
                .iter()
                .map(|b| format!("0x{b:02X}"))
                .collect();
            let why = if error.utf8_error().error_len().is_none() {
                "the file ends inside a character"
            } else {
                "not a UTF-8 character"
            };
            // The text before `at` is valid, so in the lossy copy the bad
            // bytes start at the same offset: the snippet shows the right line.
            let source = String::from_utf8_lossy(bytes).into_owned();
            let replacement = '\u{FFFD}'.len_utf8();
            Err(refuse(
                &source,
                Diagnostic::new(
                    format!(
                        "{shown} is not valid UTF-8: byte {} at offset {at} ({why})",
                        shown_bytes.join(" ")
                    ),
                    Some(at..at + replacement),
                )
                .label("not UTF-8")
                .help(
                    "save the file as UTF-8 (in the editor's Save As or encoding menu), \
                     or retype the marked character",
                ),
            ))
        }
    }
}

/// The name of a UTF-16 or UTF-32 encoding the bytes start in, by byte order
/// mark or, without one, by the NUL bytes ASCII gets in those encodings (the
/// detection YAML 1.2 section 5.2 describes).
fn wide_encoding(bytes: &[u8]) -> Option<&'static str> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (&[0x00, 0x00, 0xFE, 0xFF], "UTF-32 (big-endian)"),
        (&[0xFF, 0xFE, 0x00, 0x00], "UTF-32 (little-endian)"),
        (&[0xFE, 0xFF], "UTF-16 (big-endian)"),
        (&[0xFF, 0xFE], "UTF-16 (little-endian)"),
    ];
    if let Some((_, name)) = SIGNATURES.iter().find(|(bom, _)| bytes.starts_with(bom)) {
        return Some(name);
    }
    match bytes {
        [0, 0, 0, b, ..] if *b != 0 => Some("UTF-32 (big-endian)"),
        [a, 0, 0, 0, ..] if *a != 0 => Some("UTF-32 (little-endian)"),
        [0, b, ..] if *b != 0 => Some("UTF-16 (big-endian)"),
        [a, 0, ..] if *a != 0 => Some("UTF-16 (little-endian)"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(bytes: &[u8]) -> Diagnostics {
        decode("t.yaml", bytes.to_vec()).expect_err("should be refused")
    }

    #[test]
    fn utf8_with_or_without_bom_passes_through_unchanged() {
        assert_eq!(decode("t", b"a: 1\n".to_vec()).unwrap(), "a: 1\n");
        let bom = "\u{feff}a: é\n";
        assert_eq!(decode("t", bom.as_bytes().to_vec()).unwrap(), bom);
    }

    #[test]
    fn invalid_utf8_is_located_at_its_first_bad_byte() {
        let d = refused(b"version: 1\napp:\n  name: ab\xC3\x28\n");
        let item = &d.items[0];
        assert!(
            item.message.contains("byte 0xC3 at offset 26"),
            "{}",
            item.message
        );
        assert_eq!(d.location(item), Some((3, 11)));
        assert!(item
            .help
            .as_deref()
            .unwrap()
            .contains("save the file as UTF-8"));
        let d = refused(b"a: \xE2\x82");
        assert!(d.items[0]
            .message
            .contains("0xE2 0x82 at offset 3 (the file ends inside a character)"));
    }

    #[test]
    fn wide_encodings_are_named_with_or_without_a_byte_order_mark() {
        for (bytes, name) in [
            (&b"\xFF\xFEv\x00"[..], "UTF-16 (little-endian)"),
            (b"\xFE\xFF\x00v", "UTF-16 (big-endian)"),
            (b"v\x00e\x00", "UTF-16 (little-endian)"),
            (b"\x00v\x00e", "UTF-16 (big-endian)"),
            (b"\xFF\xFE\x00\x00v\x00\x00\x00", "UTF-32 (little-endian)"),
            (b"\x00\x00\x00v", "UTF-32 (big-endian)"),
        ] {
            let d = refused(bytes);
            assert!(
                d.items[0].message.contains(name),
                "{name}: {}",
                d.items[0].message
            );
        }
    }

    #[test]
    fn more_than_the_limit_is_refused_without_keeping_the_text() {
        let d = refused(&vec![b'#'; MAX_INPUT_BYTES + 1]);
        assert!(d.items[0].message.contains("larger than a spec can be"));
        assert!(d.source.is_empty());
    }
}

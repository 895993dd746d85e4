//! Checksums in `@generated` headers, so a hand edit to a generated file is
//! noticed before the next run would silently throw it away.
//!
//! `seal` puts ` checksum:<8 hex>` right after the header's `DO NOT EDIT.`;
//! the checksum is the CRC-32 of the file with that token taken out, so
//! `verify` can take it out again and recompute. Carriage returns before a
//! newline do not count: a checkout that turned every LF into CRLF (git's
//! autocrlf) is not a hand edit.

use crate::emit::GENERATED_MARKER;

const TOKEN: &str = " checksum:";
const HEX_LEN: usize = 8;
/// The header sits in the first line, or in the second (JSON's `$comment`).
const HEAD_BYTES: usize = 1024;

/// What a file's header says about its contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seal {
    /// The checksum matches: the file is as flexgen wrote it.
    Intact,
    /// The checksum does not match: someone changed the file.
    Edited,
    /// No checksum (written before flexgen sealed files, or not generated).
    Unsealed,
}

/// `contents` with the checksum added to its `@generated` header; unchanged
/// when it has no header or is sealed already.
pub fn seal(mut contents: String) -> String {
    let Some(at) = insertion_point(contents.as_bytes()) else {
        return contents;
    };
    if contents.as_bytes()[at..].starts_with(TOKEN.as_bytes()) {
        return contents;
    }
    let sum = checksum(contents.as_bytes());
    // In place, growing by exactly the token: a generated file can be tens
    // of megabytes, and `insert_str` alone may double its allocation.
    let token = format!("{TOKEN}{sum:08x}");
    contents.reserve_exact(token.len());
    contents.insert_str(at, &token);
    contents
}

/// Checks a file's bytes against the checksum in its header.
pub fn verify(bytes: &[u8]) -> Seal {
    let head = &bytes[..bytes.len().min(HEAD_BYTES)];
    let Some(marker) = find(head, GENERATED_MARKER.as_bytes()) else {
        return Seal::Unsealed;
    };
    let Some(token) = find(&head[marker..], TOKEN.as_bytes()).map(|i| marker + i) else {
        return Seal::Unsealed;
    };
    let hex_start = token + TOKEN.len();
    let Some(recorded) = bytes
        .get(hex_start..hex_start + HEX_LEN)
        .and_then(|hex| std::str::from_utf8(hex).ok())
        .and_then(|hex| u32::from_str_radix(hex, 16).ok())
    else {
        return Seal::Edited;
    };
    let mut hasher = Hasher::default();
    hasher.update(&bytes[..token]);
    hasher.update(&bytes[hex_start + HEX_LEN..]);
    if hasher.finish() == recorded {
        Seal::Intact
    } else {
        Seal::Edited
    }
}

/// Just after the `DO NOT EDIT.` that follows the marker in the head.
fn insertion_point(bytes: &[u8]) -> Option<usize> {
    let head = &bytes[..bytes.len().min(HEAD_BYTES)];
    let marker = find(head, GENERATED_MARKER.as_bytes())?;
    const NOTICE: &[u8] = b"DO NOT EDIT.";
    let notice = marker + find(&head[marker..], NOTICE)?;
    Some(notice + NOTICE.len())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn checksum(bytes: &[u8]) -> u32 {
    let mut hasher = Hasher::default();
    hasher.update(bytes);
    hasher.finish()
}

/// CRC-32 over the bytes with each `\r` that precedes a `\n` left out, fed in
/// pieces (a CR at the end of one piece and an LF at the start of the next
/// count as a pair).
#[derive(Default)]
struct Hasher {
    crc: crc32fast::Hasher,
    pending_cr: bool,
}

impl Hasher {
    fn update(&mut self, mut bytes: &[u8]) {
        if self.pending_cr {
            self.pending_cr = false;
            if bytes.first() != Some(&b'\n') {
                self.crc.update(b"\r");
            }
        }
        // Files flexgen writes have no CR at all: one fast scan, no copy.
        if !bytes.contains(&b'\r') {
            self.crc.update(bytes);
            return;
        }
        while let Some(cr) = bytes.iter().position(|&b| b == b'\r') {
            self.crc.update(&bytes[..cr]);
            match bytes.get(cr + 1) {
                Some(b'\n') => {}
                Some(_) => self.crc.update(b"\r"),
                None => self.pending_cr = true,
            }
            bytes = &bytes[cr + 1..];
        }
        self.crc.update(bytes);
    }

    fn finish(self) -> u32 {
        let mut crc = self.crc;
        if self.pending_cr {
            crc.update(b"\r");
        }
        crc.finalize()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generated(body: &str) -> String {
        format!("// {GENERATED_MARKER} 0.1.0 from triggers.yaml. DO NOT EDIT.\n{body}")
    }

    #[test]
    fn a_sealed_file_verifies_and_any_change_to_it_does_not() {
        let sealed = seal(generated("export const a = 1;\n"));
        let first = sealed.lines().next().unwrap();
        assert!(first.contains("DO NOT EDIT. checksum:"), "{first}");
        assert_eq!(verify(sealed.as_bytes()), Seal::Intact);
        assert_eq!(
            seal(sealed.clone()),
            sealed,
            "sealing twice changes nothing"
        );
        for edited in [
            sealed.replace("a = 1", "a = 2"),
            sealed.replace("a = 1;\n", "a = 1;\n\n"),
            sealed.replace("0.1.0", "0.1.1"),
            format!("{sealed}// mine\n"),
        ] {
            assert_eq!(verify(edited.as_bytes()), Seal::Edited, "{edited}");
        }
        // A garbled checksum is an edit too, not a missing one.
        let hex = &sealed[sealed.find(TOKEN).unwrap() + TOKEN.len()..][..HEX_LEN];
        let garbled = sealed.replacen(hex, "zzzzzzzz", 1);
        assert_eq!(verify(garbled.as_bytes()), Seal::Edited);
    }

    #[test]
    fn crlf_line_ends_are_not_an_edit_but_a_lone_cr_is() {
        let sealed = seal(generated("a\nb\n"));
        assert_eq!(
            verify(sealed.replace('\n', "\r\n").as_bytes()),
            Seal::Intact
        );
        assert_eq!(
            verify(sealed.replace("a\n", "a\r").as_bytes()),
            Seal::Edited
        );
        assert_eq!(
            verify(sealed.replace("a\n", "a\r\r\n").as_bytes()),
            Seal::Edited
        );
    }

    #[test]
    fn json_and_markdown_headers_are_sealed_in_place() {
        let json = format!(
            "{{\n  \"$comment\": \"{GENERATED_MARKER} 0.1.0. DO NOT EDIT.\",\n  \"a\": 1\n}}\n"
        );
        let sealed = seal(json);
        assert!(sealed.contains("DO NOT EDIT. checksum:"), "{sealed}");
        assert!(serde_json::from_str::<serde_json::Value>(&sealed).is_ok());
        assert_eq!(verify(sealed.as_bytes()), Seal::Intact);
        let md = format!("<!-- {GENERATED_MARKER} 0.1.0. DO NOT EDIT. -->\n# T\n");
        let sealed = seal(md);
        assert!(sealed.starts_with("<!-- ") && sealed.lines().next().unwrap().ends_with(" -->"));
        assert_eq!(verify(sealed.as_bytes()), Seal::Intact);
    }

    #[test]
    fn files_without_a_header_or_checksum_are_unsealed() {
        assert_eq!(seal("no header\n".to_string()), "no header\n");
        assert_eq!(verify(b"no header\n"), Seal::Unsealed);
        assert_eq!(verify(generated("x\n").as_bytes()), Seal::Unsealed);
    }
}

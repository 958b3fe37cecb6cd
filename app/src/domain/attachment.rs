//! Attachments (#19): what a file really is (read from its bytes, never from its name or the type the
//! browser declared), the name it is shown with, and the rules a PDF must pass. Images are re-encoded on
//! the server (`services::attachments`); nothing here decodes.

use serde::{Deserialize, Serialize};

/// The name of the forms' file field (its errors are reported under it).
pub const FILES_FIELD: &str = "files";

/// The kinds of file a message may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileType {
    Jpeg,
    Png,
    Webp,
    Pdf,
}

impl FileType {
    /// The type, read from the first bytes; `None` for anything else (HTML, SVG, executables…).
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else if bytes.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else {
            None
        }
    }

    pub fn is_image(self) -> bool {
        self != Self::Pdf
    }
}

/// What a stored attachment is: an image the server made, or a checked PDF (only ever downloaded).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttachmentKind {
    Image,
    Pdf,
}

impl AttachmentKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Pdf => "pdf",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "image" => Some(Self::Image),
            "pdf" => Some(Self::Pdf),
            _ => None,
        }
    }
}

/// The limits of the attachments (flags on the server; the forms show them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentLimits {
    /// Files per message.
    pub max_files: usize,
    /// Bytes per file, as uploaded.
    pub max_bytes: u64,
    /// Bytes stored for one customer (all their requests).
    pub customer_quota: u64,
    /// Bytes stored in all.
    pub total_quota: u64,
}

impl Default for AttachmentLimits {
    fn default() -> Self {
        Self { max_files: 3, max_bytes: 5 * 1024 * 1024, customer_quota: 50 * 1024 * 1024, total_quota: 20 << 30 }
    }
}

impl AttachmentLimits {
    /// The largest request body an upload may need: every file at its limit, plus the form's text.
    pub fn body_limit(&self) -> usize {
        // Up to three times the files allowed may be posted and still be answered with a message
        // ("at most 3 files") instead of a cut connection.
        (self.max_bytes as usize).saturating_mul(self.max_files.max(1) * 4).saturating_add(1 << 20)
    }

    /// The per-file limit in whole megabytes, for messages.
    pub fn max_megabytes(&self) -> u64 {
        self.max_bytes.div_ceil(1024 * 1024)
    }
}

/// The name a file is shown and downloaded with: the customer's name for it without any path, without
/// characters that mean something to a browser or a file system, at most 80 characters, ending with the
/// extension of what it really is.
pub fn safe_name(uploaded: &str, ext: &str) -> String {
    let base = uploaded.rsplit(['/', '\\']).next().unwrap_or_default();
    let stem = match base.rfind('.') {
        Some(dot) if dot > 0 => &base[..dot],
        _ => base,
    };
    let cleaned: String = stem
        .chars()
        .map(|c| if c.is_alphanumeric() || matches!(c, '-' | '_' | ' ' | '(' | ')') { c } else { '_' })
        .collect();
    let cleaned = cleaned.trim().trim_matches('_');
    let stem: String = if cleaned.is_empty() { "file".into() } else { cleaned.chars().take(80).collect() };
    format!("{stem}.{ext}")
}

/// What the PDF check found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PdfFacts {
    /// It holds JavaScript or actions that run on opening: it is only ever downloaded (as every PDF),
    /// and staff see a warning.
    pub scripted: bool,
}

/// A PDF is accepted only when it is one: the header first, an end-of-file marker at the end, a
/// cross-reference and at least one object. `None` when it is not.
pub fn check_pdf(bytes: &[u8]) -> Option<PdfFacts> {
    if !bytes.starts_with(b"%PDF-1.") && !bytes.starts_with(b"%PDF-2.") {
        return None;
    }
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    if !contains(tail, b"%%EOF") || !contains(bytes, b"startxref") || !contains(bytes, b" obj") {
        return None;
    }
    let scripted = [&b"/JavaScript"[..], b"/JS", b"/OpenAction", b"/Launch", b"/AA"].iter().any(|m| contains(bytes, m));
    Some(PdfFacts { scripted })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_comes_from_the_bytes() {
        assert_eq!(FileType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some(FileType::Jpeg));
        assert_eq!(FileType::sniff(b"\x89PNG\r\n\x1a\n...."), Some(FileType::Png));
        assert_eq!(FileType::sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(FileType::Webp));
        assert_eq!(FileType::sniff(b"%PDF-1.7\n"), Some(FileType::Pdf));
        assert_eq!(FileType::sniff(b"<html><script>alert(1)</script>"), None);
        assert_eq!(FileType::sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"), None);
        assert_eq!(FileType::sniff(b""), None);
    }

    #[test]
    fn names_lose_paths_and_say_what_the_file_is() {
        assert_eq!(safe_name("bolletta.JPG", "jpg"), "bolletta.jpg");
        assert_eq!(safe_name("../../etc/passwd", "png"), "passwd.png");
        assert_eq!(safe_name("C:\\Users\\me\\foto marzo.webp", "jpg"), "foto marzo.jpg");
        assert_eq!(safe_name("evil\".html", "pdf"), "evil.pdf");
        assert_eq!(safe_name("<script>.jpg", "jpg"), "script.jpg");
        assert_eq!(safe_name("", "pdf"), "file.pdf");
        assert_eq!(safe_name(&"a".repeat(300), "jpg").len(), 84);
    }

    #[test]
    fn a_pdf_is_checked_and_its_scripts_are_noticed() {
        let plain = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\nxref\n0 1\nstartxref\n9\n%%EOF\n";
        assert_eq!(check_pdf(plain), Some(PdfFacts { scripted: false }));
        let scripted =
            b"%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\nstartxref\n9\n%%EOF";
        assert_eq!(check_pdf(scripted), Some(PdfFacts { scripted: true }));
        assert_eq!(check_pdf(b"%PDF-1.4\n<html>"), None);
        assert_eq!(check_pdf(b"%PDF-1.4\n1 0 obj endobj\n%%EOF"), None);
    }
}

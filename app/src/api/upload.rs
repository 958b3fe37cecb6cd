//! Forms that carry files (#19) post `multipart/form-data`, with or without JavaScript. On the server,
//! the post is read as it arrives: text fields up to 64 KB each, files up to their limit — a bigger
//! file is read to its end and thrown away (the form then says it was too big), never kept in memory.

use leptos::prelude::*;
pub use leptos::server_fn::codec::{MultipartData, MultipartFormData};

use crate::domain::attachment::AttachmentLimits;
use crate::error::AppError;

/// The limits of attachments, for the forms' hints.
#[server(endpoint = "attachments/limits")]
pub async fn upload_limits() -> Result<AttachmentLimits, AppError> {
    Ok(crate::context::Ctx::get()?.settings.attachments)
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use super::*;
    use crate::services::attachments::{FIELD, Upload, Uploads};

    /// The largest text field of a form that carries files.
    const MAX_TEXT: usize = 64 * 1024;
    /// Parts of one post: a form has about ten fields.
    const MAX_PARTS: usize = 64;

    /// A form post read: its text fields and its files.
    pub struct Posted {
        pub fields: Vec<(String, String)>,
        pub uploads: Uploads,
    }

    impl Posted {
        /// The text fields as the form's type (a field posted twice: the last one).
        pub fn form<T: serde::de::DeserializeOwned>(&self) -> Result<T, AppError> {
            let map: serde_json::Map<String, serde_json::Value> =
                self.fields.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
            serde_json::from_value(serde_json::Value::Object(map)).map_err(|_| AppError::field("request", "malformed"))
        }
    }

    fn malformed<E>(_: E) -> AppError {
        AppError::field("request", "malformed")
    }

    /// Reads a multipart post under the limits.
    pub async fn read_post(data: MultipartData, limits: &AttachmentLimits) -> Result<Posted, AppError> {
        let mut parts = data.into_inner().ok_or(AppError::Internal)?;
        let mut fields = Vec::new();
        let mut uploads = Uploads::default();
        let mut chosen = 0usize;
        let mut seen = 0usize;
        while let Some(mut part) = parts.next_field().await.map_err(malformed)? {
            seen += 1;
            if seen > MAX_PARTS {
                return Err(malformed(()));
            }
            let name = part.name().unwrap_or_default().to_string();
            match part.file_name().map(str::to_string) {
                Some(file_name) => {
                    let mut bytes = Vec::new();
                    let mut too_big = false;
                    // Read to the end either way: the next part comes after it.
                    while let Some(chunk) = part.chunk().await.map_err(malformed)? {
                        if too_big || name != FIELD || chosen >= limits.max_files {
                            too_big |= bytes.len() as u64 + chunk.len() as u64 > limits.max_bytes;
                            continue;
                        }
                        if bytes.len() as u64 + chunk.len() as u64 > limits.max_bytes {
                            too_big = true;
                            bytes = Vec::new();
                            continue;
                        }
                        bytes.extend_from_slice(&chunk);
                    }
                    // A file input left empty posts a part without name or bytes.
                    if name != FIELD || (file_name.is_empty() && bytes.is_empty() && !too_big) {
                        continue;
                    }
                    chosen += 1;
                    if chosen > limits.max_files {
                        uploads.refused = Some("files_too_many");
                    } else if too_big {
                        uploads.refused.get_or_insert("file_too_big");
                    } else {
                        uploads.files.push(Upload { name: file_name, bytes });
                    }
                }
                None => {
                    let mut text = Vec::new();
                    while let Some(chunk) = part.chunk().await.map_err(malformed)? {
                        if text.len() + chunk.len() > MAX_TEXT {
                            return Err(malformed(()));
                        }
                        text.extend_from_slice(&chunk);
                    }
                    fields.push((name, String::from_utf8(text).map_err(malformed)?));
                }
            }
        }
        if uploads.refused.is_some() {
            uploads.files.clear();
        }
        Ok(Posted { fields, uploads })
    }
}

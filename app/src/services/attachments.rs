//! Attachments (#19): what a posted file becomes before it is stored. Its type is read from its bytes;
//! images are decoded under hard limits (dimensions read from the header first: a decompression bomb
//! is refused, never decoded), turned the right way up, scaled to a sane size and encoded again by us —
//! so nothing of the original file survives but its pixels (no EXIF, GPS position, camera serial, nor
//! anything hidden after the image). PDFs are checked and stored as they are, only ever downloaded.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use crate::domain::account::FieldError;
use crate::domain::attachment::{AttachmentKind, AttachmentLimits, FileType, check_pdf, safe_name};
use crate::error::AppError;
use crate::ports::{AttachmentRecord, NewAttachment, SharedStore, UserId};

/// The field of the forms that carries files.
pub const FIELD: &str = crate::domain::attachment::FILES_FIELD;

/// The longest side of a stored image: more than any screen needs to read a bill.
const MAX_SIDE: u32 = 2560;
/// The longest side of a timeline thumbnail.
const THUMB_SIDE: u32 = 320;
/// What is decoded at all: 12,000 pixels a side, 50 megapixels (a 48 MP phone photo passes).
const DECODE_MAX_SIDE: u32 = 12_000;
const DECODE_MAX_PIXELS: u64 = 50_000_000;
/// The decoder's own ceiling on memory, whatever the header said.
const DECODE_MAX_ALLOC: u64 = 320 * 1024 * 1024;

/// Images decoded at once in this process: each may take a few hundred MB for a moment.
static DECODING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// A file as posted: the name the browser gave and its bytes.
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The files of one post, or why they were refused while it was read (too many, too big).
#[derive(Default)]
pub struct Uploads {
    pub files: Vec<Upload>,
    pub refused: Option<&'static str>,
}

impl Uploads {
    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.refused.is_none()
    }
}

/// Makes the posted files storable, all or none: the first file refused refuses the message (its
/// message says why, next to the field).
pub async fn prepare(limits: &AttachmentLimits, uploads: Uploads) -> Result<Vec<NewAttachment>, FieldError> {
    if let Some(code) = uploads.refused {
        return Err(FieldError::new(FIELD, code));
    }
    if uploads.files.len() > limits.max_files {
        return Err(FieldError::new(FIELD, "files_too_many"));
    }
    let mut ready = Vec::with_capacity(uploads.files.len());
    for upload in uploads.files {
        if upload.bytes.is_empty() {
            return Err(FieldError::new(FIELD, "file_empty"));
        }
        if upload.bytes.len() as u64 > limits.max_bytes {
            return Err(FieldError::new(FIELD, "file_too_big"));
        }
        let Some(kind) = FileType::sniff(&upload.bytes) else {
            return Err(FieldError::new(FIELD, "file_type"));
        };
        let file = if kind.is_image() {
            // The permit goes with the decoding thread: a client that hangs up cannot leave decodes
            // running beyond the limit.
            let permit = DECODING.acquire().await.map_err(|_| FieldError::new(FIELD, "file_damaged"))?;
            tokio::task::spawn_blocking(move || {
                let _permit = permit;
                image_attachment(kind, &upload.name, &upload.bytes)
            })
            .await
            .map_err(|_| FieldError::new(FIELD, "file_damaged"))??
        } else {
            pdf_attachment(&upload.name, upload.bytes)?
        };
        ready.push(file);
    }
    Ok(ready)
}

/// A form's check and its files' together: every refusal at once.
pub fn together<T>(
    form: Result<T, AppError>,
    files: Result<Vec<NewAttachment>, FieldError>,
) -> Result<(T, Vec<NewAttachment>), AppError> {
    match (form, files) {
        (Ok(form), Ok(files)) => Ok((form, files)),
        (Err(AppError::Invalid(mut errors)), Err(file)) => {
            errors.push(file);
            Err(AppError::Invalid(errors))
        }
        (Err(e), _) => Err(e),
        (Ok(_), Err(file)) => Err(AppError::Invalid(vec![file])),
    }
}

/// Refuses files that would take a customer, or the whole portal, over its quota.
pub async fn check_quota(
    store: &SharedStore,
    limits: &AttachmentLimits,
    customer: Option<UserId>,
    files: &[NewAttachment],
) -> Result<(), AppError> {
    if files.is_empty() {
        return Ok(());
    }
    let adding: i64 = files.iter().map(|f| f.data.len() as i64).sum();
    let usage = store.attachment_usage(customer.unwrap_or_default()).await?;
    if (usage.total + adding) as u64 > limits.total_quota {
        tracing::warn!(used = usage.total, "the attachments' total quota is reached");
        return Err(AppError::field(FIELD, "quota_total"));
    }
    if customer.is_some() && (usage.customer + adding) as u64 > limits.customer_quota {
        return Err(AppError::field(FIELD, "quota_customer"));
    }
    Ok(())
}

fn pdf_attachment(name: &str, bytes: Vec<u8>) -> Result<NewAttachment, FieldError> {
    let facts = check_pdf(&bytes).ok_or(FieldError::new(FIELD, "file_damaged"))?;
    if facts.scripted {
        // Stored all the same (a bill exported by some programs carries actions): PDFs are only ever
        // downloaded, never shown by the portal.
        tracing::info!("a PDF with scripts or actions was attached");
    }
    Ok(NewAttachment {
        kind: AttachmentKind::Pdf,
        mime: "application/pdf",
        name: safe_name(name, "pdf"),
        data: bytes,
        thumbnail: None,
        width: None,
        height: None,
    })
}

/// Decodes, turns, scales and encodes one image. Runs on a blocking thread.
fn image_attachment(kind: FileType, name: &str, bytes: &[u8]) -> Result<NewAttachment, FieldError> {
    let damaged = |_| FieldError::new(FIELD, "file_damaged");
    let format = match kind {
        FileType::Jpeg => ImageFormat::Jpeg,
        FileType::Png => ImageFormat::Png,
        FileType::Webp => ImageFormat::WebP,
        FileType::Pdf => return Err(FieldError::new(FIELD, "file_type")),
    };
    if kind == FileType::Jpeg && !has_jpeg_end(bytes) {
        // A cut photo decodes into grey stripes: better to say it did not arrive whole.
        return Err(FieldError::new(FIELD, "file_damaged"));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(DECODE_MAX_SIDE);
    limits.max_image_height = Some(DECODE_MAX_SIDE);
    limits.max_alloc = Some(DECODE_MAX_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(too_large_or_damaged)?;
    let (w, h) = decoder.dimensions();
    if w == 0 || h == 0 {
        return Err(FieldError::new(FIELD, "file_damaged"));
    }
    if w > DECODE_MAX_SIDE || h > DECODE_MAX_SIDE || u64::from(w) * u64::from(h) > DECODE_MAX_PIXELS {
        return Err(FieldError::new(FIELD, "image_too_large"));
    }
    // The decoded size, whatever the pixel format (16-bit RGBA is 8 bytes a pixel): `from_decoder` itself
    // does not hold it to the limit.
    if decoder.total_bytes() > DECODE_MAX_ALLOC {
        return Err(FieldError::new(FIELD, "image_too_large"));
    }
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(too_large_or_damaged)?;
    if img.width() > MAX_SIDE || img.height() > MAX_SIDE {
        // Area averaging in integers: no floating-point copy of a 50 MP image. The box is square, so
        // scaling before turning gives the same picture, and the turn copies the small one.
        img = img.thumbnail(MAX_SIDE, MAX_SIDE);
    }
    img.apply_orientation(orientation);
    // Screenshots (PNG, or WebP with transparency) stay lossless; photos become JPEG.
    let lossless = kind == FileType::Png || (kind == FileType::Webp && img.color().has_alpha());
    let (data, mime, ext) = if lossless {
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).map_err(damaged)?;
        (out, "image/png", "png")
    } else {
        (jpeg(&img, 85).map_err(damaged)?, "image/jpeg", "jpg")
    };
    let thumbnail = jpeg(&img.thumbnail(THUMB_SIDE, THUMB_SIDE), 75).map_err(damaged)?;
    Ok(NewAttachment {
        kind: AttachmentKind::Image,
        mime,
        name: safe_name(name, ext),
        data,
        thumbnail: Some(thumbnail),
        width: Some(img.width()),
        height: Some(img.height()),
    })
}

fn too_large_or_damaged(e: image::ImageError) -> FieldError {
    match e {
        image::ImageError::Limits(_) => FieldError::new(FIELD, "image_too_large"),
        _ => FieldError::new(FIELD, "file_damaged"),
    }
}

/// Encodes as JPEG (no metadata is written), over a white background where the image was transparent.
fn jpeg(img: &DynamicImage, quality: u8) -> Result<Vec<u8>, image::ImageError> {
    let rgb = if img.color().has_alpha() {
        let rgba = img.to_rgba8();
        let mut flat = image::RgbImage::new(rgba.width(), rgba.height());
        for (out, px) in flat.pixels_mut().zip(rgba.pixels()) {
            let [r, g, b, a] = px.0;
            let over = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
            *out = image::Rgb([over(r), over(g), over(b)]);
        }
        flat
    } else {
        img.to_rgb8()
    };
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality).encode_image(&rgb)?;
    Ok(out)
}

/// A whole JPEG ends with its end-of-image marker (perhaps followed by padding).
fn has_jpeg_end(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(4096)..];
    tail.windows(2).any(|w| w == [0xFF, 0xD9])
}

/// An attachment's bytes for the one asking: the request's customer, or the care pool. Anyone else —
/// and a removed file, or one of an erased customer — gets the same not-found as a missing one.
pub async fn fetch(
    store: &SharedStore,
    user: &crate::ports::UserRecord,
    id: &str,
    thumbnail: bool,
) -> Result<(AttachmentRecord, Vec<u8>), AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let file = store.attachment(id).await?.ok_or(AppError::NotFound)?;
    let allowed = user.email_confirmed && (user.role.is_staff() || file.customer_id == user.id);
    if !allowed || file.removed_at.is_some() {
        return Err(AppError::NotFound);
    }
    // Files only go with what the customer reads; should one ever sit on an internal note, its customer
    // still would not get it.
    if !user.role.is_staff() {
        let visible = store.request_events(file.request_id, false).await?;
        if !visible.iter().any(|e| e.id == file.event_id) {
            return Err(AppError::NotFound);
        }
    }
    let bytes = store.attachment_bytes(id, thumbnail).await?.ok_or(AppError::NotFound)?;
    Ok((file, bytes))
}

/// An admin removes an abusive attachment (audited); the customer then reads "removed by the care pool".
pub async fn remove(
    store: &SharedStore,
    admin: &crate::auth::session::Admin,
    code: &str,
    id: &str,
) -> Result<(), AppError> {
    let request = crate::domain::request::parse_reference(code).ok_or(AppError::NotFound)?;
    let id: i64 = id.trim().parse().map_err(|_| AppError::NotFound)?;
    match store.attachment(id).await? {
        Some(file) if file.request_id == request => {}
        _ => return Err(AppError::NotFound),
    }
    if store.remove_attachment(id, admin.user().id, crate::clock::now_ms()).await? {
        tracing::info!(attachment = id, "attachment removed");
        Ok(())
    } else {
        Err(AppError::Conflict)
    }
}

//! Attachments (#19) through the real router and database: photos are cleaned (no EXIF, GPS or serial),
//! turned the right way up and shown only to their people; every bad file of the list is refused
//! with its message and stores nothing; replies of both sides carry files; admins remove abusive ones;
//! erasure takes them; quotas hold; memory stays bounded while the worst image decodes. On both databases.

mod common;

use std::io::Cursor;

use app::domain::request::{Role, parse_reference};
use app::error::AppError;
use common::{TestApp, TestDb, form_error, location, multipart_of};

const PASSWORD: &str = "violet-otter-canyon-42";
const SERIAL: &[u8] = b"CAMERA-SERIAL-SC3-0042";

fn fields<'a>(subject: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("category", "billing"),
        ("subject", subject),
        ("description", "La bolletta di novembre ha un addebito che non riconosco, allego la foto."),
        ("line_number", "333 765 4321"),
        ("contact", "portal"),
        ("reported_on", "none"),
        ("public_handle", ""),
    ]
}

/// A form with files, as a browser posts it.
fn with_files(fields: &[(&str, &str)], files: &[(&str, Vec<u8>)]) -> reqwest::multipart::Form {
    files.iter().fold(multipart_of(fields), |form, (name, bytes)| {
        form.part("files", reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.to_string()))
    })
}

fn encode(img: &image::DynamicImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), format).unwrap();
    out
}

/// A 64×32 photo (left half red, right half blue) whose EXIF says "turn 90° clockwise", with a GPS
/// position and a camera serial number.
fn phone_photo() -> Vec<u8> {
    let img =
        image::RgbImage::from_fn(64, 32, |x, _| if x < 32 { image::Rgb([220, 0, 0]) } else { image::Rgb([0, 0, 220]) });
    let jpeg = encode(&image::DynamicImage::ImageRgb8(img), image::ImageFormat::Jpeg);
    // TIFF, big-endian: IFD0 with Orientation = 6 and a GPS IFD pointer; the GPS IFD with a latitude
    // reference; then the serial number.
    let mut tiff: Vec<u8> = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    tiff.extend_from_slice(&[0, 2]);
    tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]);
    tiff.extend_from_slice(&[0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 38]);
    tiff.extend_from_slice(&[0, 0, 0, 0]);
    tiff.extend_from_slice(&[0, 1]);
    tiff.extend_from_slice(&[0x00, 0x01, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0]);
    tiff.extend_from_slice(&[0, 0, 0, 0]);
    tiff.extend_from_slice(SERIAL);
    let mut app1 = b"Exif\x00\x00".to_vec();
    app1.extend_from_slice(&tiff);
    let len = (app1.len() + 2) as u16;
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(w, h, |x, y| image::Rgba([(x % 256) as u8, (y % 256) as u8, 90, 255]));
    encode(&image::DynamicImage::ImageRgba8(img), image::ImageFormat::Png)
}

/// A PNG whose header claims `w` × `h` RGBA pixels of `depth` bits (its one data chunk is tiny): a
/// decompression bomb.
fn png_claiming(w: u32, h: u32, depth: u8) -> Vec<u8> {
    let mut bytes = png(8, 8);
    // IHDR's width and height are at 16..24, then the bit depth; its CRC follows at 29..33.
    bytes[16..20].copy_from_slice(&w.to_be_bytes());
    bytes[20..24].copy_from_slice(&h.to_be_bytes());
    bytes[24] = depth;
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

const PDF_WITH_SCRIPT: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert('x')) >> >>\nendobj\nxref\n0 2\ntrailer << /Root 1 0 R >>\nstartxref\n9\n%%EOF\n";

async fn submit(
    app: &TestApp,
    client: &reqwest::Client,
    subject: &str,
    files: &[(&str, Vec<u8>)],
) -> reqwest::Response {
    client
        .post(app.url("/api/requests/submit"))
        .header("Accept", "text/html")
        .header("Referer", app.url("/assistenza/nuova"))
        .multipart(with_files(&fields(subject), files))
        .send()
        .await
        .unwrap()
}

/// A hydrated page's post: the answer is the error itself.
async fn submit_js(app: &TestApp, client: &reqwest::Client, files: &[(&str, Vec<u8>)]) -> (u16, Option<AppError>) {
    let res = client
        .post(app.url("/api/requests/submit"))
        .multipart(with_files(&fields("Addebito sconosciuto"), files))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json::<AppError>().await.ok())
}

async fn get(client: &reqwest::Client, url: String) -> reqwest::Response {
    client.get(url).send().await.unwrap()
}

async fn a_photo_is_cleaned_turned_and_only_its_people_see_it(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (anna, anna_user) = app.customer("anna@example.it", "Anna").await;
    let (bruno, _) = app.customer("bruno@example.it", "Bruno").await;
    let (agent, _) = app.staff("agente@example.it", "Agente", Role::Agent).await;
    let visitor = app.new_client();

    let photo = phone_photo();
    assert!(photo.windows(SERIAL.len()).any(|w| w == SERIAL), "the test photo carries its serial");
    let res = submit(&app, &anna, "Bolletta di novembre", &[("../../IMG_0042.JPG", photo)]).await;
    assert_eq!(res.status(), 302, "{:?}", form_error(&res));
    assert!(location(&res).starts_with("/assistenza/richieste/"), "{} {:?}", location(&res), form_error(&res));
    let code = location(&res).trim_start_matches("/assistenza/richieste/").split('?').next().unwrap().to_string();
    let request = parse_reference(&code).unwrap();
    let files = app.store().request_attachments(request).await.unwrap();
    assert_eq!(files.len(), 1);
    let file = &files[0];
    assert_eq!((file.customer_id, file.uploaded_by, file.name.as_str()), (anna_user.id, anna_user.id, "IMG_0042.jpg"));
    // Turned the right way up: the 64×32 photo was taken sideways.
    assert_eq!((file.width, file.height), (Some(32), Some(64)));

    let url = app.url(&format!("/allegati/{}", file.id));
    let res = get(&anna, url.clone()).await;
    assert_eq!(res.status(), 200);
    let header = |name: &str| res.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert_eq!(header("content-type"), "image/jpeg");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert!(header("content-security-policy").starts_with("sandbox"), "{}", header("content-security-policy"));
    assert!(header("cache-control").starts_with("private"), "no shared cache: {}", header("cache-control"));
    assert_eq!(header("content-disposition"), "inline; filename=\"IMG_0042.jpg\"");
    let stored = res.bytes().await.unwrap();
    assert!(!stored.windows(4).any(|w| w == b"Exif"), "no EXIF left");
    assert!(!stored.windows(SERIAL.len()).any(|w| w == SERIAL), "no serial left");
    let decoded = image::load_from_memory(&stored).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (32, 64));
    // Red was on the left; turned clockwise it is at the top.
    let top = decoded.to_rgb8().get_pixel(16, 4).0;
    assert!(top[0] > 150 && top[2] < 80, "red on top: {top:?}");

    let thumb = get(&anna, format!("{url}/anteprima")).await;
    assert_eq!(thumb.status(), 200);
    assert_eq!(thumb.headers()["content-type"], "image/jpeg");
    // The page shows it in the timeline.
    let (_, page) = app.get_as(&anna, &format!("/assistenza/richieste/{code}")).await;
    assert!(page.contains(&format!("/allegati/{}/anteprima", file.id)), "the thumbnail is on the page");
    // Staff see it; anyone else gets the same not-found as a missing file.
    assert_eq!(get(&agent, url.clone()).await.status(), 200);
    let missing = get(&bruno, app.url("/allegati/999999")).await;
    assert_eq!(missing.status(), 404);
    let missing_body = missing.text().await.unwrap();
    for (who, client) in [("another customer", &bruno), ("a visitor", &visitor)] {
        for path in [url.clone(), format!("{url}/anteprima")] {
            let res = get(client, path).await;
            assert_eq!(res.status(), 404, "{who}");
            assert_eq!(res.text().await.unwrap(), missing_body, "{who} learns nothing");
        }
    }
    assert_eq!(get(&anna, app.url("/allegati/abc")).await.status(), 404);
}

async fn bad_files_are_refused_with_their_message_and_store_nothing(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (fan, _) = app.customer("fan@example.it", "Fan").await;
    let html = b"<!doctype html><html><script>alert(document.cookie)</script></html>".to_vec();
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><script>alert(2)</script></svg>".to_vec();
    let photo = phone_photo();
    let truncated = photo[..photo.len() / 2].to_vec();
    let not_a_pdf = b"%PDF-1.7\n<html><script>alert(1)</script></html>".to_vec();
    let cases: Vec<(&str, Vec<(&str, Vec<u8>)>, &str)> = vec![
        ("HTML renamed .jpg", vec![("bolletta.jpg", html)], "file_type"),
        ("SVG with script renamed .jpg", vec![("foto.jpg", svg)], "file_type"),
        ("PNG declaring 50,000 × 50,000", vec![("bomba.png", png_claiming(50_000, 50_000, 8))], "image_too_large"),
        // 49 MP passes the pixel count, but 16-bit RGBA would need 392 MB.
        (
            "16-bit PNG declaring 7,000 × 7,000",
            vec![("bomba16.png", png_claiming(7_000, 7_000, 16))],
            "image_too_large",
        ),
        ("truncated JPEG", vec![("mezza.jpg", truncated)], "file_damaged"),
        ("zero bytes", vec![("vuoto.jpg", Vec::new())], "file_empty"),
        ("20 MB", vec![("enorme.jpg", vec![0xFF; 20 * 1024 * 1024])], "file_too_big"),
        ("10 files at once", (0..10).map(|_| ("foto.png", png(8, 8))).collect(), "files_too_many"),
        ("a PDF that is not one", vec![("ricevuta.pdf", not_a_pdf)], "file_damaged"),
    ];
    for (what, files, code) in cases {
        let (status, error) = submit_js(&app, &fan, &files).await;
        assert_eq!(status, 422, "{what}");
        assert_eq!(error.as_ref().and_then(|e| e.field_code("files")), Some(code), "{what}: {error:?}");
    }
    // Without JavaScript: back to the form with the message and the typed words kept.
    let res = submit(&app, &fan, "Addebito sconosciuto", &[("x.jpg", b"GIF89a".to_vec())]).await;
    assert_eq!(res.status(), 302);
    assert_eq!(form_error(&res).and_then(|e| e.field_code("files").map(str::to_string)).as_deref(), Some("file_type"));
    let (_, page) = app.get_as(&fan, "/assistenza/nuova").await;
    assert!(page.contains("Addebito sconosciuto"), "the subject is kept");
    assert!(page.contains("Questo tipo di file non è accettato"), "the message is next to the field");
    // The form's own mistakes and the files' are told together.
    let res = fan
        .post(app.url("/api/requests/submit"))
        .multipart(with_files(&fields("x"), &[("a.txt", b"hello".to_vec())]))
        .send()
        .await
        .unwrap();
    let error: AppError = res.json().await.unwrap();
    assert_eq!(
        (error.field_code("subject"), error.field_code("files")),
        (Some("subject_too_short"), Some("file_type"))
    );
    // Not multipart: refused before anything reads it.
    let res = fan.post(app.url("/api/requests/submit")).form(&fields("Addebito sconosciuto")).send().await.unwrap();
    assert_eq!(res.status(), 415);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM requests").await, 0, "nothing stored");
    assert_eq!(app.db.count("SELECT COUNT(*) FROM attachments").await, 0);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM attachment_blobs").await, 0);
    // The server is still there.
    let (status, _) = submit_js(&app, &fan, &[("ok.png", png(8, 8))]).await;
    assert_eq!(status, 200);
}

async fn a_polyglot_loses_its_html_and_a_scripted_pdf_is_only_downloaded(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (fan, _) = app.customer("fan@example.it", "Fan").await;
    let mut polyglot = phone_photo();
    polyglot.extend_from_slice(b"<html><script>alert(document.domain)</script></html>");
    let res =
        submit(&app, &fan, "Schermata di errore", &[("errore.jpg", polyglot), ("conto.pdf", PDF_WITH_SCRIPT.to_vec())])
            .await;
    assert_eq!(res.status(), 302, "{:?}", form_error(&res));
    let files = app.store().request_attachments(1).await.unwrap();
    assert_eq!(files.iter().map(|f| f.mime.as_str()).collect::<Vec<_>>(), vec!["image/jpeg", "application/pdf"]);
    let image = get(&fan, app.url(&format!("/allegati/{}", files[0].id))).await.bytes().await.unwrap();
    assert!(!image.windows(7).any(|w| w == b"<script"), "the image was made again: nothing after it survives");
    let pdf = get(&fan, app.url(&format!("/allegati/{}", files[1].id))).await;
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert_eq!(pdf.headers()["content-disposition"], "attachment; filename=\"conto.pdf\"");
    assert!(pdf.headers()["content-security-policy"].to_str().unwrap().starts_with("sandbox"));
    assert_eq!(pdf.bytes().await.unwrap().as_ref(), PDF_WITH_SCRIPT, "PDFs are stored as they came");
    assert_eq!(get(&fan, app.url(&format!("/allegati/{}/anteprima", files[1].id))).await.status(), 404, "no thumbnail");
}

async fn replies_carry_files_and_an_admin_removes_an_abusive_one(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (fan, _) = app.customer("fan@example.it", "Fan").await;
    let (agent, _) = app.staff("agente@example.it", "Agente", Role::Agent).await;
    let (admin, _) = app.staff("admin@example.it", "Admin", Role::Admin).await;
    let res = submit(&app, &fan, "Ricarica non arrivata", &[]).await;
    let code = location(&res).trim_start_matches("/assistenza/richieste/").split('?').next().unwrap().to_string();
    assert_eq!(app.db.count("SELECT COUNT(*) FROM attachments").await, 0, "a request without files has none");
    assert_eq!(app.call(&agent, "/api/staff/take-next", &[]).await.0, 200);

    // The agent replies with a PDF; an internal note may not carry files.
    let version = app.store().request_by_id(1).await.unwrap().unwrap().version.to_string();
    let reply = [
        ("reference", code.as_str()),
        ("version", version.as_str()),
        ("action", "reply"),
        ("message", "Ecco la ricevuta."),
    ];
    let res = agent
        .post(app.url("/api/staff/case-action"))
        .multipart(with_files(&reply, &[("ricevuta.pdf", PDF_WITH_SCRIPT.to_vec())]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let version = app.store().request_by_id(1).await.unwrap().unwrap().version.to_string();
    let note =
        [("reference", code.as_str()), ("version", version.as_str()), ("action", "note"), ("message", "Vedi foto.")];
    let res = agent
        .post(app.url("/api/staff/case-action"))
        .multipart(with_files(&note, &[("foto.png", png(8, 8))]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(res.json::<AppError>().await.unwrap().field_code("files"), Some("files_not_here"));

    // The customer replies with a screenshot (kept lossless).
    let message = [("reference", code.as_str()), ("message", "Ecco lo screenshot dell'app.")];
    let res = fan
        .post(app.url("/api/requests/reply"))
        .multipart(with_files(&message, &[("screenshot.png", png(40, 30))]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let files = app.store().request_attachments(1).await.unwrap();
    assert_eq!(files.iter().map(|f| f.mime.as_str()).collect::<Vec<_>>(), vec!["application/pdf", "image/png"]);
    assert_ne!(files[0].event_id, files[1].event_id, "each on its own message");
    for f in &files {
        assert_eq!(get(&fan, app.url(&format!("/allegati/{}", f.id))).await.status(), 200);
    }
    // Emails say a message came, never carry the file.
    let mails = app.db.count("SELECT COUNT(*) FROM outbox WHERE body_text LIKE '%ricevuta.pdf%'").await;
    assert_eq!(mails, 0);
    let told = app
        .db
        .count("SELECT COUNT(*) FROM outbox WHERE kind = 'request_message' AND body_text LIKE '%Allegati: 1.%'")
        .await;
    assert_eq!(told, 1, "the reply's email says a file came with it");

    // Removal: admins only, audited; the customer reads that the care pool removed it.
    let screenshot = files[1].id.to_string();
    let form = [("reference", code.as_str()), ("attachment", screenshot.as_str())];
    assert_eq!(app.call(&fan, "/api/staff/attachment-remove", &form).await.0, 404);
    assert_eq!(app.call(&agent, "/api/staff/attachment-remove", &form).await.0, 403);
    let wrong = [("reference", "SC3-999"), ("attachment", screenshot.as_str())];
    assert_eq!(app.call(&admin, "/api/staff/attachment-remove", &wrong).await.0, 404);
    assert_eq!(app.call(&admin, "/api/staff/attachment-remove", &form).await.0, 200);
    assert_eq!(app.call(&admin, "/api/staff/attachment-remove", &form).await.0, 409, "once");
    for client in [&fan, &admin] {
        assert_eq!(get(client, app.url(&format!("/allegati/{screenshot}"))).await.status(), 404);
    }
    assert_eq!(
        app.db.count(&format!("SELECT COUNT(*) FROM attachment_blobs WHERE attachment_id = {screenshot}")).await,
        0
    );
    let (_, page) = app.get_as(&fan, &format!("/assistenza/richieste/{code}")).await;
    assert!(page.contains("Allegato rimosso dalla care pool"));
    assert_eq!(app.db.count("SELECT COUNT(*) FROM audit_log WHERE action = 'attachment_removed'").await, 1);
}

async fn erasure_takes_the_files_and_quotas_hold(db: TestDb) {
    let app = TestApp::spawn_with(db, &["--attachment-customer-quota-mb", "1"]).await;
    let (fan, _) = app.customer("fan@example.it", "Fan").await;
    let (agent, _) = app.staff("agente@example.it", "Agente", Role::Agent).await;
    // Noise does not compress: about 0.7 MB as PNG.
    let mut seed = 7u32;
    let noise = image::RgbImage::from_fn(480, 480, |_, _| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        image::Rgb([(seed >> 8) as u8, (seed >> 16) as u8, (seed >> 24) as u8])
    });
    let heavy = encode(&image::DynamicImage::ImageRgb8(noise), image::ImageFormat::Png);
    assert_eq!(submit(&app, &fan, "Prima foto", &[("uno.png", heavy.clone())]).await.status(), 302);
    let (status, error) = submit_js(&app, &fan, &[("due.png", heavy)]).await;
    assert_eq!(
        (status, error.and_then(|e| e.field_code("files").map(str::to_string))),
        (422, Some("quota_customer".into()))
    );

    let id = app.store().request_attachments(1).await.unwrap()[0].id;
    let url = app.url(&format!("/allegati/{id}"));
    assert_eq!(get(&agent, url.clone()).await.status(), 200);
    // The export lists the customer's files.
    let export =
        app.post_form_as(&fan, "/account/dati", "/account", &[("password", PASSWORD), ("format", "json")]).await;
    assert_eq!(export.status(), 200);
    let data: serde_json::Value = export.json().await.unwrap();
    let files = &data["requests"][0]["files"];
    assert_eq!((files[0]["id"].as_i64(), files[0]["name"].as_str()), (Some(id), Some("uno.png")), "{files}");
    let res =
        app.post_form_as(&fan, "/api/account/erase", "/account", &[("password", PASSWORD), ("confirm", "yes")]).await;
    assert_eq!(res.status(), 302);
    assert_eq!(get(&agent, url).await.status(), 404, "gone with the customer");
    assert_eq!(app.db.count("SELECT COUNT(*) FROM attachments").await, 0);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM attachment_blobs").await, 0);
}

/// Peak memory of this test's process (nextest runs each test alone in its process).
fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

async fn memory_stays_bounded_and_a_5_mb_photo_is_stored_in_time(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (fan, _) = app.customer("fan@example.it", "Fan").await;
    let before = peak_rss_kb();
    // The worst image that is decoded at all: 7,000 × 7,000 RGBA (49 MP, under the 50 MP ceiling: 196 MB
    // decoded), a few hundred KB as a file.
    let flat = image::RgbaImage::from_pixel(7_000, 7_000, image::Rgba([200, 30, 30, 255]));
    let worst = encode(&image::DynamicImage::ImageRgba8(flat), image::ImageFormat::Png);
    let after_making = peak_rss_kb();
    let started = std::time::Instant::now();
    let (status, _) = submit_js(&app, &fan, &[("grande.png", worst)]).await;
    let worst_ms = started.elapsed().as_millis();
    assert_eq!(status, 200);
    let peak = peak_rss_kb();
    // A noisy 5 MB photo, as phones make them.
    let mut seed = 11u32;
    let (w, h) = (2_600, 1_950);
    let noise = image::RgbImage::from_fn(w, h, |x, y| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let n = (seed >> 24) as u8 / 2;
        image::Rgb([((x / 8) as u8).wrapping_add(n), ((y / 8) as u8).wrapping_add(n), n])
    });
    let noise = image::DynamicImage::ImageRgb8(noise);
    let mut photo = Vec::new();
    for quality in (50..=95).rev().step_by(5) {
        photo.clear();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut photo, quality).encode_image(&noise).unwrap();
        if photo.len() <= 5 * 1024 * 1024 {
            break;
        }
    }
    assert!(photo.len() > 3 * 1024 * 1024 && photo.len() <= 5 * 1024 * 1024, "{} bytes", photo.len());
    let started = std::time::Instant::now();
    let (status, error) = submit_js(&app, &fan, &[("foto.jpg", photo.clone())]).await;
    let photo_ms = started.elapsed().as_millis();
    assert_eq!(status, 200, "{error:?}");
    let stored: i64 = app.store().request_attachments(2).await.unwrap()[0].size;
    println!(
        "[measure] {}: 49 MP PNG decoded and stored in {worst_ms} ms; peak RSS {} MB before, {} MB with the \
         test's images made, {} MB after decoding; a {:.1} MB photo uploaded and stored in {photo_ms} ms \
         ({:.1} MB stored)",
        app.db.backend,
        before / 1024,
        after_making / 1024,
        peak / 1024,
        photo.len() as f64 / 1048576.0,
        stored as f64 / 1048576.0,
    );
    // The process as a whole (this test's own copy of the image included) stays well under 1.5 GB.
    assert!(peak < 1536 * 1024, "decoding stays bounded: peak {} MB", peak / 1024);
}

on_both_databases!(
    a_photo_is_cleaned_turned_and_only_its_people_see_it,
    bad_files_are_refused_with_their_message_and_store_nothing,
    a_polyglot_loses_its_html_and_a_scripted_pdf_is_only_downloaded,
    replies_carry_files_and_an_admin_removes_an_abusive_one,
    erasure_takes_the_files_and_quotas_hold,
    memory_stays_bounded_and_a_5_mb_photo_is_stored_in_time,
);

//! Forms that carry files (#19). Without JavaScript they are plain multipart posts to their server
//! function; with it the same form data is sent in the background, with a progress bar for slow
//! connections, and the answer fills the same signals an action would (value, pending, version).

use leptos::prelude::*;
use serde::de::DeserializeOwned;

use crate::components::form::field_message;
use crate::domain::attachment::AttachmentLimits;
use crate::error::AppError;
use crate::i18n::*;
use crate::views::FileView;

/// A multipart form's state, as an action's: its last answer, whether it is on its way, how far.
pub struct Upload<T: Send + Sync + 'static> {
    value: RwSignal<Option<Result<T, AppError>>>,
    pending: RwSignal<bool>,
    version: RwSignal<usize>,
    /// Percent sent, while a body is on its way.
    progress: RwSignal<Option<u8>>,
}

impl<T: Send + Sync + 'static> Clone for Upload<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Upload<T> {}

impl<T: Send + Sync + 'static> Upload<T> {
    /// The state of the form posting to the server function at `path`. A plain post refused without
    /// JavaScript comes back with its error, as an action's does.
    pub fn new(path: &'static str) -> Self {
        let refused = use_context::<leptos::server::ServerActionError>()
            .filter(|e| e.path() == path)
            .map(|e| Err(leptos::server_fn::error::ServerFnUrlError::<AppError>::decode_err(e.err())));
        Self {
            value: RwSignal::new(refused),
            pending: RwSignal::new(false),
            version: RwSignal::new(0),
            progress: RwSignal::new(None),
        }
    }

    pub fn value(&self) -> RwSignal<Option<Result<T, AppError>>> {
        self.value
    }

    pub fn pending(&self) -> Signal<bool> {
        self.pending.into()
    }

    pub fn version(&self) -> RwSignal<usize> {
        self.version
    }
}

/// A `<form>` posting `multipart/form-data` to `action` (a server function's path).
#[component]
pub fn UploadForm<T>(
    upload: Upload<T>,
    action: &'static str,
    #[prop(default = "form")] class: &'static str,
    children: Children,
) -> impl IntoView
where
    T: DeserializeOwned + Send + Sync + 'static,
{
    let i18n = use_i18n();
    #[cfg(feature = "hydrate")]
    let navigate = leptos_router::hooks::use_navigate();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            ev.prevent_default();
            if upload.pending.get_untracked() {
                return;
            }
            if let Some(form) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok()) {
                browser::send(form, action, upload, navigate.clone());
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let progress = move || {
        upload.progress.get().map(|p| {
            view! {
                <div class="upload-progress" role="status">
                    <progress max="100" value=p.to_string()></progress>
                    <span>{move || t_string!(i18n, files.sending)} " " {p} "%"</span>
                </div>
            }
        })
    };
    view! {
        <form method="post" action=action enctype="multipart/form-data" class=class novalidate=true on:submit=on_submit>
            {children()}
            {progress}
        </form>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use serde::de::DeserializeOwned;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    use super::Upload;
    use crate::error::AppError;

    /// Sends the form's data (files included) and fills the upload's signals with the answer. A server
    /// function that redirects (a new request opens its page) is followed in the app.
    pub fn send<T, N>(form: web_sys::HtmlFormElement, url: &'static str, upload: Upload<T>, navigate: N)
    where
        T: DeserializeOwned + Send + Sync + 'static,
        N: Fn(&str, leptos_router::NavigateOptions) + Clone + 'static,
    {
        let (Ok(data), Ok(xhr)) = (web_sys::FormData::new_with_form(&form), web_sys::XmlHttpRequest::new()) else {
            return;
        };
        if xhr.open_with_async("POST", url, true).is_err() {
            return;
        }
        // What leptos' own client asks for: the answer as data, never a redirect.
        let _ = xhr.set_request_header("Accept", "application/json");
        upload.pending.set(true);
        upload.progress.set(None);
        if let Ok(sending) = xhr.upload() {
            let progress = upload.progress;
            let on_progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
                // Only worth showing for a body that takes a while (a photo on a slow line).
                if e.length_computable() && e.total() > 200_000.0 {
                    progress.set(Some((e.loaded() / e.total() * 100.0).min(100.0) as u8));
                }
            });
            sending.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
            on_progress.forget();
        }
        let answer = xhr.clone();
        let on_end = Closure::<dyn FnMut()>::new(move || {
            let status = answer.status().unwrap_or(0);
            let body = answer.response_text().ok().flatten().unwrap_or_default();
            let result: Result<T, AppError> = match status {
                0 => Err(AppError::Unreachable),
                200..=299 => serde_json::from_str(&body).map_err(|_| AppError::Internal),
                _ => Err(serde_json::from_str(&body).unwrap_or(AppError::Internal)),
            };
            let redirect = answer
                .get_response_header(leptos::server_fn::redirect::REDIRECT_HEADER)
                .ok()
                .flatten()
                .and_then(|_| answer.get_response_header("location").ok().flatten());
            let ok = result.is_ok();
            upload.progress.set(None);
            upload.pending.set(false);
            upload.value.set(Some(result));
            upload.version.update(|v| *v += 1);
            if ok && let Some(to) = redirect {
                navigate(&to, Default::default());
            }
        });
        xhr.set_onloadend(Some(on_end.as_ref().unchecked_ref()));
        on_end.forget();
        if xhr.send_with_opt_form_data(Some(&data)).is_err() {
            upload.pending.set(false);
            upload.value.set(Some(Err(AppError::Unreachable)));
        }
    }

    /// Object URLs of the chosen images, for their previews.
    pub fn previews(input: &web_sys::HtmlInputElement) -> Vec<(String, String)> {
        let Some(files) = input.files() else { return Vec::new() };
        (0..files.length())
            .filter_map(|i| files.get(i))
            .map(|f| {
                let url = if f.type_().starts_with("image/") {
                    web_sys::Url::create_object_url_with_blob(&f).unwrap_or_default()
                } else {
                    String::new()
                };
                (f.name(), url)
            })
            .collect()
    }
}

/// The file field: what may be attached (from the server's limits), its error, and with JavaScript a
/// preview of the chosen images.
#[component]
pub fn FilePicker(
    limits: Option<AttachmentLimits>,
    error: Signal<Option<AppError>>,
    #[prop(default = "files")] id: &'static str,
    /// One line with a short hint (the staff composer, which must stay in a laptop's first screen).
    #[prop(optional)]
    compact: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let limits = limits.unwrap_or_default();
    let hint = move || {
        crate::components::fill(
            if compact { t_string!(i18n, files.hint_short) } else { t_string!(i18n, files.hint) },
            &[("count", &limits.max_files.to_string()), ("size", &limits.max_megabytes().to_string())],
        )
    };
    let message = move || {
        error.get().and_then(|e| {
            e.field_code(crate::domain::attachment::FILES_FIELD).map(|code| field_message(i18n.get_locale(), code))
        })
    };
    let chosen = RwSignal::new(Vec::<(String, String)>::new());
    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            for (_, url) in chosen.get_untracked() {
                if !url.is_empty() {
                    let _ = web_sys::Url::revoke_object_url(&url);
                }
            }
            if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                chosen.set(browser::previews(&input));
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, chosen);
    };
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = format!("{hint_id} {error_id}");
    view! {
        <div class=if compact { "field files-field compact" } else { "field files-field" }>
            <label for=id>{t!(i18n, files.label)}</label>
            <input
                type="file"
                id=id
                name="files"
                multiple=true
                accept="image/jpeg,image/png,image/webp,application/pdf,.jpg,.jpeg,.png,.webp,.pdf"
                aria-describedby=described
                aria-invalid=move || message().is_some().then_some("true")
                on:change=on_change
            />
            <p class="hint" id=hint_id>{hint}</p>
            <p class="field-error" id=error_id role="alert">{message}</p>
            <ul class="file-previews">
                {move || {
                    chosen
                        .get()
                        .into_iter()
                        .map(|(name, url)| {
                            view! {
                                <li>
                                    {(!url.is_empty()).then(|| view! { <img src=url alt="" /> })}
                                    <span>{name}</span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}

/// A message's files in a timeline: thumbnails that open the image, PDFs to download, and what the care
/// pool removed.
#[component]
pub fn FileList(files: Vec<FileView>) -> impl IntoView {
    let i18n = use_i18n();
    if files.is_empty() {
        return ().into_any();
    }
    let items = files
        .into_iter()
        .map(|f| {
            if f.removed {
                view! { <li class="file removed"><em>{t!(i18n, files.removed)}</em></li> }.into_any()
            } else if f.image {
                let (w, h) = (f.width.unwrap_or(320), f.height.unwrap_or(320));
                // The thumbnail's box keeps the image's shape: nothing jumps when it arrives.
                let (tw, th) =
                    if w >= h { (160, (160 * h / w.max(1)).max(1)) } else { ((160 * w / h.max(1)).max(1), 160) };
                view! {
                    <li class="file image">
                        <a href=f.href() target="_blank" rel="noopener">
                            <img src=f.thumbnail() alt=f.name.clone() width=tw height=th loading="lazy" />
                        </a>
                    </li>
                }
                .into_any()
            } else {
                view! {
                    <li class="file pdf">
                        <a href=f.href() download=f.name.clone()>
                            <span class="file-kind">"PDF"</span>
                            {f.name.clone()}
                            <span class="file-size">{size_label(f.size)}</span>
                        </a>
                    </li>
                }
                .into_any()
            }
        })
        .collect_view();
    view! { <ul class="files">{items}</ul> }.into_any()
}

fn size_label(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0)).replace('.', ",")
    } else {
        format!("{} KB", (bytes / 1024).max(1))
    }
}

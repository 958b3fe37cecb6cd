//! Live status for a hydrated page: while a customer is logged in, the browser asks the server every
//! few seconds (a plain, short POST that any HTTP proxy passes) whether the pool did something. Pages
//! that show requests refetch when `tick` moves; the shell's badge shows `unread`. Without JavaScript
//! nothing polls, and a reload shows the same.

use leptos::prelude::*;

/// How often a visible page asks.
pub const POLL_MS: u64 = 3000;

#[derive(Clone, Copy)]
pub struct Live {
    /// Unread updates, once the browser has asked at least once.
    pub unread: RwSignal<Option<i64>>,
    /// Unread notifications (the bell), once the browser has asked.
    pub notices: RwSignal<Option<i64>>,
    /// Moves when something new happened on one of the customer's requests.
    pub tick: RwSignal<u64>,
    latest: RwSignal<Option<i64>>,
}

impl Live {
    pub fn provide() -> Self {
        let live = Live {
            unread: RwSignal::new(None),
            notices: RwSignal::new(None),
            tick: RwSignal::new(0),
            latest: RwSignal::new(None),
        };
        provide_context(live);
        live
    }

    pub fn get() -> Option<Self> {
        use_context::<Live>()
    }

    /// A page that changed something itself asks at once.
    pub fn refresh(self) {
        self.tick.update(|t| *t += 1);
    }

    fn record(self, pulse: crate::api::requests::LivePulse) {
        self.unread.set(Some(pulse.unread));
        self.notices.set(Some(pulse.notifications));
        let before = self.latest.get_untracked();
        self.latest.set(Some(pulse.latest_event));
        if before.is_some_and(|b| b != pulse.latest_event) {
            self.tick.update(|t| *t += 1);
        }
    }
}

/// Starts polling while it is mounted (only in the browser: effects do not run on the server).
#[component]
pub fn LivePoller() -> impl IntoView {
    let Some(live) = Live::get() else {
        return;
    };
    Effect::new(move |_| {
        let ask = move || {
            if document().hidden() {
                return;
            }
            leptos::task::spawn_local(async move {
                if let Ok(Some(pulse)) = crate::api::requests::pulse().await {
                    live.record(pulse);
                }
            });
        };
        ask();
        if let Ok(handle) = set_interval_with_handle(ask, std::time::Duration::from_millis(POLL_MS)) {
            on_cleanup(move || handle.clear());
        }
    });
}

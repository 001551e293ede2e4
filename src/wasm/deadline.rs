//! Deadlines of our own: a `setTimeout` raced against a future, so a call settles even when
//! what it waits on never does (a `fetch` whose abort was lost, an `apiKey` Promise or a
//! storage adapter's Promise that never settles).

use std::cell::{Cell, RefCell};
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use wasm_bindgen::prelude::*;

use super::fetch::Timer;

/// The deadline passed first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed;

/// `fut`'s output, or `Elapsed` once `ms` milliseconds have passed without it (the future is
/// then dropped). Where there is no `setTimeout` at all, `fut` is awaited as it is.
pub async fn within<F: Future>(ms: u64, fut: F) -> Result<F::Output, Elapsed> {
    // Cleared when this function returns, never from inside its own callback.
    let deadline = Deadline::start(ms);
    let mut fut = pin!(fut);
    poll_fn(|cx| {
        if let Poll::Ready(v) = fut.as_mut().poll(cx) {
            return Poll::Ready(Ok(v));
        }
        if deadline.passed(cx) {
            return Poll::Ready(Err(Elapsed));
        }
        Poll::Pending
    })
    .await
}

/// [`within`]'s timer, the part that is the same whatever the future (issue 15: it was
/// inlined into each instance of `within`).
struct Deadline {
    fired: Rc<Cell<bool>>,
    waker: Rc<RefCell<Option<Waker>>>,
    _timer: Option<Timer>,
}

impl Deadline {
    #[inline(never)]
    fn start(ms: u64) -> Deadline {
        let fired = Rc::new(Cell::new(false));
        let waker: Rc<RefCell<Option<Waker>>> = Rc::new(RefCell::new(None));
        let on_fire = {
            let fired = fired.clone();
            let waker = waker.clone();
            Closure::<dyn FnMut()>::new(move || {
                fired.set(true);
                if let Some(w) = waker.borrow_mut().take() {
                    w.wake();
                }
            })
        };
        Deadline {
            fired,
            waker,
            _timer: Timer::start(on_fire, ms).ok(),
        }
    }

    /// Whether the deadline passed; if not, `cx`'s waker is woken when it does.
    #[inline(never)]
    fn passed(&self, cx: &Context<'_>) -> bool {
        if self.fired.get() {
            return true;
        }
        *self.waker.borrow_mut() = Some(cx.waker().clone());
        false
    }
}

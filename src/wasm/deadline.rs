//! Deadlines of our own: a `setTimeout` raced against a future, so a call settles even when
//! what it waits on never does (a `fetch` whose abort was lost, an `apiKey` Promise or a
//! storage adapter's Promise that never settles).

use std::cell::{Cell, RefCell};
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::rc::Rc;
use std::task::{Poll, Waker};

use wasm_bindgen::prelude::*;

use super::fetch::Timer;

/// The deadline passed first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed;

/// `fut`'s output, or `Elapsed` once `ms` milliseconds have passed without it (the future is
/// then dropped). Where there is no `setTimeout` at all, `fut` is awaited as it is.
pub async fn within<F: Future>(ms: u64, fut: F) -> Result<F::Output, Elapsed> {
    let fired = Rc::new(Cell::new(false));
    let waker: Rc<RefCell<Option<Waker>>> = Rc::new(RefCell::new(None));
    let on_fire = {
        let fired = fired.clone();
        let waker = waker.clone();
        Closure::once(move || {
            fired.set(true);
            if let Some(w) = waker.borrow_mut().take() {
                w.wake();
            }
        })
    };
    // Cleared when this function returns, never from inside its own callback.
    let _timer = Timer::start(on_fire, ms).ok();
    let mut fut = pin!(fut);
    poll_fn(|cx| {
        if let Poll::Ready(v) = fut.as_mut().poll(cx) {
            return Poll::Ready(Ok(v));
        }
        if fired.get() {
            return Poll::Ready(Err(Elapsed));
        }
        *waker.borrow_mut() = Some(cx.waker().clone());
        Poll::Pending
    })
    .await
}

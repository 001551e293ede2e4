//! Reading an answer's body no further than the cap: a server may send a small gzip body that
//! inflates to gigabytes, and `Response.arrayBuffer()` would hold all of it. The body is read
//! chunk by chunk from its stream (reflectively, as Node 20 and every browser have it) and the
//! stream is cancelled once one byte past `MAX_BODY_BYTES` has arrived; `classify` then refuses
//! the answer as `malformed`.

use js_sys::{Function, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::error::describe;
use super::promise::adopt;
use crate::api::limits::MAX_BODY_BYTES;

fn method(target: &JsValue, name: &str) -> Result<Function, String> {
    Reflect::get(target, &JsValue::from_str(name))
        .map_err(|e| describe(&e))?
        .dyn_into::<Function>()
        .map_err(|_| format!("the body stream has no {name}()"))
}

/// The whole body, or its first `MAX_BODY_BYTES + 1` bytes.
pub(crate) async fn read_capped(resp: &web_sys::Response) -> Result<Vec<u8>, String> {
    let Some(stream) = resp.body() else {
        return Ok(Vec::new());
    };
    let reader: JsValue = stream.get_reader().into();
    let read = method(&reader, "read")?;
    let mut body = Vec::new();
    loop {
        let next = read.call0(&reader).map_err(|e| describe(&e))?;
        let chunk = JsFuture::from(adopt(&next))
            .await
            .map_err(|e| describe(&e))?;
        let done = Reflect::get(&chunk, &JsValue::from_str("done")).map_err(|e| describe(&e))?;
        if done.is_truthy() {
            return Ok(body);
        }
        let value = Reflect::get(&chunk, &JsValue::from_str("value")).map_err(|e| describe(&e))?;
        let bytes: Uint8Array = value
            .dyn_into()
            .map_err(|_| "a body chunk is not bytes".to_string())?;
        let room = MAX_BODY_BYTES + 1 - body.len();
        let take = (bytes.length() as usize).min(room);
        let start = body.len();
        body.resize(start + take, 0);
        bytes.subarray(0, take as u32).copy_to(&mut body[start..]);
        if body.len() > MAX_BODY_BYTES {
            // Stop the download; what arrived is enough to refuse it.
            if let Ok(cancel) = method(&reader, "cancel") {
                let _ = cancel.call0(&reader);
            }
            return Ok(body);
        }
    }
}

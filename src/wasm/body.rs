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

/// `target[name]` as a function, read through `Reflect.get`, which catches (a replaced
/// `fetch`'s answer may have throwing getters of its own).
pub(crate) fn method(target: &JsValue, name: &str) -> Result<Function, String> {
    super::fetch::field(target, name)?
        .dyn_into::<Function>()
        .map_err(|_| format!("the answer has no {name}()"))
}

#[wasm_bindgen]
extern "C" {
    /// A copy of a chunk's bytes.
    #[wasm_bindgen(js_name = Uint8Array)]
    type Chunk;
    /// `new Uint8Array(chunk)`, which reads a typed array's own slots, no method or getter of
    /// it; `catch`: a chunk whose buffer was detached throws.
    #[wasm_bindgen(catch, constructor, js_class = "Uint8Array")]
    fn new(chunk: &JsValue) -> Result<Chunk, JsValue>;
}

/// The whole body, or its first `MAX_BODY_BYTES + 1` bytes. Every call on what a replaced
/// `fetch` answered catches (the stream, its reader, each chunk, read through `Reflect.get`
/// and `Function.call`), so a throw is this read's failure, never an unwind through wasm.
pub(crate) async fn read_capped(resp: &JsValue) -> Result<Vec<u8>, String> {
    let stream = super::fetch::field(resp, "body")?;
    if stream.is_undefined() || stream.is_null() {
        return Ok(Vec::new());
    }
    let reader = method(&stream, "getReader")?
        .call0(&stream)
        .map_err(|e| describe(&e))?;
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
        if !value.is_instance_of::<Uint8Array>() {
            return Err("a body chunk is not bytes".into());
        }
        // Our own copy: the chunk itself may carry a `length` or `subarray` of its own.
        let bytes: Uint8Array = Chunk::new(&value)
            .map_err(|e| describe(&e))?
            .unchecked_into();
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

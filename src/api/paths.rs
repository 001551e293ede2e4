//! Path parameters: each one must be what its name says, as the URN parser decides (a
//! conversation URN or id, a message URN or id), or for an account id a plain token; never empty,
//! `.` or `..`; and it is percent-encoded whole, so no value can add, drop or climb a path
//! segment. Anything else is refused before a request exists (`bad_request`, status 0).

use super::ApiError;
use crate::urn::{encode_path_segment, ConversationId, MessageId};

/// Longest account id accepted in a path, in bytes (ids seen are 24 hex digits or `acc_…`).
const MAX_ACCOUNT_ID_BYTES: usize = 256;

/// A request the client refused to send; `status` 0 says it never left the process.
fn refused(code: &str, message: String) -> ApiError {
    ApiError::BadRequest {
        status: 0,
        code: Some(code.into()),
        message,
    }
}

/// The encoded path segment for parameter `what` (`conversationUrn`, `messageUrn`,
/// `accountId`), or a local refusal: `missing_id` when empty, `bad_id` when not of its kind.
pub fn path_param(what: &str, value: &str) -> Result<String, ApiError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(refused("missing_id", format!("{what} is empty")));
    }
    let checked = match what {
        "conversationUrn" => ConversationId::parse(value)
            .map(drop)
            .map_err(|e| format!("{what} is not a conversation URN or id: {e}")),
        "messageUrn" => MessageId::parse(value)
            .map(drop)
            .map_err(|e| format!("{what} is not a message URN or id: {e}")),
        _ => account_token(value).map_err(|why| format!("{what} {why}")),
    };
    checked.map_err(|message| refused("bad_id", message))?;
    Ok(encode_path_segment(value))
}

/// An account id: not `.` or `..`, no control characters, not over-long. Anything else is one
/// segment once encoded (`/` becomes `%2F`).
fn account_token(value: &str) -> Result<(), &'static str> {
    if value == "." || value == ".." {
        return Err("is a dot segment");
    }
    if value.len() > MAX_ACCOUNT_ID_BYTES {
        return Err("is too long");
    }
    if value.chars().any(char::is_control) {
        return Err("has control characters");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<String, ApiError>) -> String {
        match r {
            Err(ApiError::BadRequest {
                status: 0,
                code: Some(c),
                ..
            }) => c,
            other => panic!("expected a local refusal, got {other:?}"),
        }
    }

    #[test]
    fn dot_segments_and_wrong_kinds_are_refused_for_every_parameter() {
        for what in ["conversationUrn", "messageUrn", "accountId"] {
            assert_eq!(code(path_param(what, ".")), "bad_id", "{what}");
            assert_eq!(code(path_param(what, "..")), "bad_id", "{what}");
            assert_eq!(code(path_param(what, " ")), "missing_id", "{what}");
        }
        for what in ["conversationUrn", "messageUrn"] {
            assert_eq!(code(path_param(what, "../x")), "bad_id", "{what}");
        }
        assert_eq!(code(path_param("accountId", "a\nb")), "bad_id");
        // A slash is encoded: one segment whatever it holds.
        assert_eq!(path_param("accountId", "../x").unwrap(), "..%2Fx");
        assert_eq!(
            code(path_param("conversationUrn", "urn:li:messagingThread:..")),
            "bad_id"
        );
        assert_eq!(
            code(path_param("messageUrn", "urn:li:messagingThread:2-abc")),
            "bad_id"
        );
        assert_eq!(
            code(path_param("conversationUrn", "urn:li:fsd_message:2-abc")),
            "bad_id"
        );
    }

    #[test]
    fn good_values_are_encoded_whole() {
        assert_eq!(
            path_param("conversationUrn", "urn:li:messagingThread:2-a/b=").unwrap(),
            "urn%3Ali%3AmessagingThread%3A2-a%2Fb%3D"
        );
        assert_eq!(path_param("messageUrn", " 2-abc ").unwrap(), "2-abc");
        assert_eq!(
            path_param("accountId", "696ce9e780e0483585e4e553").unwrap(),
            "696ce9e780e0483585e4e553"
        );
        assert_eq!(path_param("accountId", "acc_12345").unwrap(), "acc_12345");
    }
}

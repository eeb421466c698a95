//! Turns an SDK error into what the inventory records: a class, the AWS error code, a message,
//! and whether trying again can help.

use crate::inventory::ErrorKind;
use aws_sdk_ses::config::http::HttpResponse;
use aws_sdk_ses::error::{ProvideErrorMetadata, SdkError};

/// A classified failure of one request.
#[derive(Debug, Clone)]
pub struct Failure {
    pub kind: ErrorKind,
    pub code: String,
    pub message: String,
    pub retryable: bool,
}

const THROTTLE_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "SlowDown",
];
const DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
];
/// What a region answers when the account has not enabled it (or the token is not valid there).
pub const NOT_ENABLED_CODES: &[&str] = &[
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "OptInRequired",
];

/// Classifies a failed SDK call.
pub fn classify<E>(err: &SdkError<E, HttpResponse>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match err {
        SdkError::TimeoutError(_) => Failure {
            kind: ErrorKind::Timeout,
            code: "Timeout".into(),
            message: "no answer within the time limit".into(),
            retryable: true,
        },
        SdkError::DispatchFailure(d) => {
            let timeout = d.is_timeout();
            Failure {
                kind: if timeout {
                    ErrorKind::Timeout
                } else {
                    ErrorKind::Network
                },
                code: if timeout { "Timeout" } else { "NetworkError" }.into(),
                message: source_chain(err),
                retryable: d.is_io() || timeout,
            }
        }
        SdkError::ResponseError(_) => Failure {
            kind: ErrorKind::MalformedResponse,
            code: "MalformedResponse".into(),
            message: source_chain(err),
            retryable: false,
        },
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let code = err.code().unwrap_or("Unknown").to_string();
            let message = err
                .message()
                .map(str::to_string)
                .unwrap_or_else(|| format!("HTTP {status}"));
            classify_service(&code, status, message)
        }
        _ => Failure {
            kind: ErrorKind::ServiceError,
            code: "RequestNotSent".into(),
            message: source_chain(err),
            retryable: false,
        },
    }
}

/// Classifies a service error from its code and HTTP status.
pub fn classify_service(code: &str, status: u16, message: String) -> Failure {
    let (kind, retryable) = if THROTTLE_CODES.contains(&code) || status == 429 {
        (ErrorKind::Throttled, true)
    } else if DENIED_CODES.contains(&code) {
        (ErrorKind::AccessDenied, false)
    } else if NOT_ENABLED_CODES.contains(&code) {
        (ErrorKind::RegionNotEnabled, false)
    } else if status >= 500 {
        (ErrorKind::ServiceError, true)
    } else {
        (ErrorKind::ServiceError, false)
    };
    Failure {
        kind,
        code: code.to_string(),
        message,
        retryable,
    }
}

/// The error and its causes on one line, for failures below the API.
fn source_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttles_are_retried() {
        let f = classify_service("Throttling", 400, "Rate exceeded".into());
        assert_eq!((f.kind, f.retryable), (ErrorKind::Throttled, true));
        let v2 = classify_service("TooManyRequestsException", 429, String::new());
        assert_eq!((v2.kind, v2.retryable), (ErrorKind::Throttled, true));
    }

    #[test]
    fn server_errors_are_retried_and_client_errors_are_not() {
        let f = classify_service("ServiceUnavailable", 503, String::new());
        assert_eq!((f.kind, f.retryable), (ErrorKind::ServiceError, true));
        let d = classify_service("AccessDenied", 403, String::new());
        assert_eq!((d.kind, d.retryable), (ErrorKind::AccessDenied, false));
        let n = classify_service("InvalidClientTokenId", 403, String::new());
        assert_eq!((n.kind, n.retryable), (ErrorKind::RegionNotEnabled, false));
        let v = classify_service("InvalidParameterValue", 400, String::new());
        assert_eq!((v.kind, v.retryable), (ErrorKind::ServiceError, false));
    }
}

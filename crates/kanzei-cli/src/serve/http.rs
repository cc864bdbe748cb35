//! A small HTTP/1.1 reader and writer on `std::net`: one request per connection
//! (`Connection: close`), a `Content-Length` body only, and limits on everything a client
//! controls: the request head (16 KiB), the body ([`Limits::body_bytes`]), and the time to
//! send them (socket read timeouts plus an overall deadline). Anything outside those limits
//! is a 4xx status with a message in words, never a panic.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

/// Longest request line plus headers.
pub const HEAD_LIMIT: usize = 16 * 1024;

/// What a request may cost the server.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest body accepted (a scenario's TOML).
    pub body_bytes: usize,
    /// Time a client has to send its whole request.
    pub read_deadline: Duration,
}

/// A parsed request.
#[derive(Debug)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path without the query (`/api/rates`), percent-decoded.
    pub path: String,
    /// Query parameters in order, percent-decoded (`+` is a space).
    pub query: Vec<(String, String)>,
    /// The body (empty without `Content-Length`).
    pub body: Vec<u8>,
    /// `Content-Type`, if sent.
    pub content_type: Option<String>,
}

/// A response: status, content type, extra headers, body.
#[derive(Clone, Debug)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// Extra headers (`Content-Disposition`, `Allow`).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// A response with `status`, `content_type` and `body`.
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Response {
        Response { status, content_type, headers: Vec::new(), body: body.into() }
    }

    /// JSON text (200).
    pub fn json(body: impl Into<Vec<u8>>) -> Response {
        Response::new(200, "application/json", body)
    }

    /// HTML (200).
    pub fn html(body: impl Into<Vec<u8>>) -> Response {
        Response::new(200, "text/html; charset=utf-8", body)
    }

    /// An error as JSON: `{"status": …, "error": "…"}`.
    pub fn error(status: u16, message: &str) -> Response {
        let body = serde_json::json!({ "status": status, "error": message });
        Response::new(status, "application/json", body.to_string())
    }

    /// Adds `Content-Disposition: attachment; filename="…"`.
    pub fn attachment(mut self, file_name: &str) -> Response {
        let safe: String = file_name.chars().filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c)).collect();
        self.headers.push(("Content-Disposition".into(), format!("attachment; filename=\"{safe}\"")));
        self
    }
}

/// Why a request could not be read: a status to answer with, or a connection that is gone.
#[derive(Debug)]
pub enum ReadError {
    /// Answer with this status and message.
    Status(u16, String),
    /// The client went away or timed out before sending anything usable.
    Closed,
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// Reads one request from `stream` (whose read timeout the caller has set).
pub fn read_request(stream: &mut dyn Read, limits: Limits) -> Result<Request, ReadError> {
    let started = Instant::now();
    let mut buf: Vec<u8> = Vec::with_capacity(2048);
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i;
        }
        if buf.len() > HEAD_LIMIT {
            return Err(ReadError::Status(431, format!("the request line and headers exceed {} KiB", HEAD_LIMIT / 1024)));
        }
        if started.elapsed() > limits.read_deadline {
            return Err(ReadError::Status(408, "the request was not sent in time".into()));
        }
        match stream.read(&mut chunk) {
            Ok(0) if buf.is_empty() => return Err(ReadError::Closed),
            Ok(0) => return Err(ReadError::Status(400, "the connection closed before the end of the request headers".into())),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                if buf.is_empty() {
                    return Err(ReadError::Closed);
                }
                return Err(ReadError::Status(408, "the request was not sent in time".into()));
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(ReadError::Closed),
        }
    };
    let head = std::str::from_utf8(&buf[..head_end]).map_err(|_| ReadError::Status(400, "the request headers are not UTF-8".into()))?;
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (method, target, version) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(t), Some(v), None) if !m.is_empty() && !t.is_empty() => (m, t, v),
        _ => return Err(ReadError::Status(400, format!("malformed request line `{}`", truncate(request_line, 80)))),
    };
    if !version.starts_with("HTTP/1.") {
        return Err(ReadError::Status(400, format!("unsupported protocol `{}`: expected HTTP/1.0 or HTTP/1.1", truncate(version, 20))));
    }
    if !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(ReadError::Status(400, format!("malformed method `{}`", truncate(method, 20))));
    }
    let mut content_length: Option<usize> = None;
    let mut content_type = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err(ReadError::Status(400, format!("malformed header line `{}`", truncate(line, 80))));
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => {
                let n: usize = value.parse().map_err(|_| ReadError::Status(400, format!("Content-Length `{}` is not a number", truncate(value, 30))))?;
                if content_length.is_some_and(|c| c != n) {
                    return Err(ReadError::Status(400, "two different Content-Length headers".into()));
                }
                content_length = Some(n);
            }
            "transfer-encoding" => {
                return Err(ReadError::Status(411, "chunked bodies are not accepted: send Content-Length".into()));
            }
            "content-type" => content_type = Some(value.to_string()),
            _ => {}
        }
    }
    let length = content_length.unwrap_or(0);
    if length > limits.body_bytes {
        return Err(ReadError::Status(
            413,
            format!("the body has {length} bytes; the limit is {} KiB", limits.body_bytes / 1024),
        ));
    }
    let mut body = buf[head_end + 4..].to_vec();
    if body.len() > length {
        body.truncate(length);
    }
    while body.len() < length {
        if started.elapsed() > limits.read_deadline {
            return Err(ReadError::Status(408, "the request body was not sent in time".into()));
        }
        match stream.read(&mut chunk) {
            Ok(0) => return Err(ReadError::Status(400, format!("the body ended after {} of {length} bytes", body.len()))),
            Ok(n) => body.extend_from_slice(&chunk[..n.min(length - body.len())]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(ReadError::Status(408, "the request body was not sent in time".into())),
        }
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let path = percent_decode(path).map_err(|e| ReadError::Status(400, format!("path: {e}")))?;
    let query = parse_query(query).map_err(|e| ReadError::Status(400, e))?;
    Ok(Request { method: method.to_string(), path, query, body, content_type })
}

/// Writes `response` with `Connection: close`.
pub fn write_response(stream: &mut dyn Write, response: &Response) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n",
        response.status,
        reason(response.status),
        response.content_type,
        response.body.len()
    );
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(&response.body)?;
    stream.flush()
}

/// Parses `a=1&b=x+y` (percent-decoded, `+` as space) into pairs.
pub fn parse_query(query: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode(&key.replace('+', " ")).map_err(|e| format!("query parameter name: {e}"))?;
        let value = percent_decode(&value.replace('+', " ")).map_err(|e| format!("query parameter `{}`: {e}", truncate(&key, 40)))?;
        out.push((key, value));
    }
    Ok(out)
}

/// Decodes `%XX` escapes; the result must be UTF-8.
pub fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(b) => out.push(b),
                None => return Err(format!("bad percent escape at byte {i}")),
            }
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "not UTF-8 after percent-decoding".to_string())
}

/// Encodes a query value (everything but unreserved characters).
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// At most `n` characters of `text` (for quoting input in messages).
pub fn truncate(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(n).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(raw: &[u8], limit: usize) -> Result<Request, ReadError> {
        read_request(&mut &raw[..], Limits { body_bytes: limit, read_deadline: Duration::from_secs(5) })
    }

    #[test]
    fn reads_a_get_with_a_query() {
        let r = read(b"GET /api/rates?scenario=us-2025&date=2025-11-17&x=a+b%2Fc HTTP/1.1\r\nHost: x\r\n\r\n", 10).unwrap();
        assert_eq!(r.method, "GET");
        assert_eq!(r.path, "/api/rates");
        assert_eq!(r.query[2], ("x".to_string(), "a b/c".to_string()));
    }

    #[test]
    fn body_over_the_limit_is_413_and_chunked_is_411() {
        assert!(matches!(read(b"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", 10), Err(ReadError::Status(413, _))));
        assert!(matches!(read(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 10), Err(ReadError::Status(411, _))));
        assert!(matches!(read(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab", 10), Err(ReadError::Status(400, _))));
        assert!(matches!(read(b"GET /%zz HTTP/1.1\r\n\r\n", 10), Err(ReadError::Status(400, _))));
        assert!(matches!(read(b"\xff\xfe HTTP/1.1\r\n\r\n", 10), Err(ReadError::Status(400, _))));
    }
}

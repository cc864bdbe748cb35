//! A small Chrome DevTools Protocol client for the browser tests: headless Chromium started
//! with `--remote-debugging-port=0`, one WebSocket (RFC 6455, text frames; written here on
//! `std::net` so the tests need no WebSocket crate), commands and their answers as JSON, and
//! the events in between kept (console messages, exceptions, log entries, downloads).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// A WebSocket client connection (text messages only).
struct WebSocket {
    stream: TcpStream,
}

impl WebSocket {
    /// Connects to `ws://host:port/path` and completes the opening handshake.
    fn connect(url: &str) -> WebSocket {
        let rest = url.strip_prefix("ws://").unwrap_or_else(|| panic!("not a ws:// URL: {url}"));
        let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let mut stream = TcpStream::connect(host).unwrap_or_else(|e| panic!("connect to {host}: {e}"));
        stream.set_read_timeout(Some(Duration::from_secs(60))).expect("timeout");
        // The key is any 16 bytes in base64; the server's accept value is not checked.
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: a2FuemVpLWRldnRvb2xzIQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        .expect("handshake");
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            stream.read_exact(&mut byte).expect("handshake answer");
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head);
        assert!(head.starts_with("HTTP/1.1 101"), "no WebSocket upgrade from {url}:\n{head}");
        WebSocket { stream }
    }

    /// Sends one frame (client frames are masked, RFC 6455 §5.3).
    fn send_frame(&mut self, opcode: u8, payload: &[u8]) {
        let mut frame = vec![0x80 | opcode];
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n if n < 65536 => {
                frame.push(0x80 | 126);
                frame.extend((n as u16).to_be_bytes());
            }
            n => {
                frame.push(0x80 | 127);
                frame.extend((n as u64).to_be_bytes());
            }
        }
        let mask = [0x6b, 0x61, 0x6e, 0x7a];
        frame.extend(mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.stream.write_all(&frame).expect("send a WebSocket frame");
    }

    fn send(&mut self, text: &str) {
        self.send_frame(0x1, text.as_bytes());
    }

    /// The next text message (continuation frames joined; pings answered).
    fn recv(&mut self) -> String {
        let mut message = Vec::new();
        loop {
            let mut head = [0u8; 2];
            self.stream.read_exact(&mut head).expect("a WebSocket frame from Chromium");
            let (fin, opcode) = (head[0] & 0x80 != 0, head[0] & 0x0f);
            let len = match head[1] & 0x7f {
                126 => {
                    let mut b = [0u8; 2];
                    self.stream.read_exact(&mut b).expect("length");
                    u64::from(u16::from_be_bytes(b))
                }
                127 => {
                    let mut b = [0u8; 8];
                    self.stream.read_exact(&mut b).expect("length");
                    u64::from_be_bytes(b)
                }
                n => u64::from(n),
            };
            let mut mask = [0u8; 4];
            if head[1] & 0x80 != 0 {
                self.stream.read_exact(&mut mask).expect("mask");
            }
            let mut payload = vec![0u8; len as usize];
            self.stream.read_exact(&mut payload).expect("payload");
            if head[1] & 0x80 != 0 {
                payload.iter_mut().enumerate().for_each(|(i, b)| *b ^= mask[i % 4]);
            }
            match opcode {
                0x0 | 0x1 => {
                    message.extend(payload);
                    if fin {
                        return String::from_utf8(message).expect("UTF-8 message");
                    }
                }
                0x8 => panic!("Chromium closed the DevTools connection"),
                0x9 => self.send_frame(0xA, &payload),
                _ => {}
            }
        }
    }
}

/// Headless Chromium under DevTools control.
pub struct Browser {
    child: Child,
    ws: WebSocket,
    next_id: u64,
    /// Events received so far (with their `sessionId`).
    pub events: Vec<Value>,
    profile: PathBuf,
}

/// One page (a target attached in flat mode).
#[derive(Clone)]
pub struct Page(String);

impl Browser {
    /// Starts `chromium` headless with a fresh profile under `dir`.
    pub fn launch(chromium: &str, dir: &Path, name: &str) -> Browser {
        let profile = dir.join(format!("profile-{name}"));
        let _ = std::fs::remove_dir_all(&profile);
        let mut child = Command::new(chromium)
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"])
            .args(["--remote-debugging-port=0", "--remote-allow-origins=*", "--window-size=1280,2000", "--hide-scrollbars"])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start chromium");
        // Chromium prints the DevTools WebSocket URL on stderr; the rest of stderr is drained
        // by a thread so that the pipe never fills.
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find("ws://") {
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(line[at..].trim().to_string());
                    }
                }
            }
        });
        let url = rx.recv_timeout(Duration::from_secs(60)).expect("Chromium printed its DevTools URL within 60 s");
        Browser { child, ws: WebSocket::connect(&url), next_id: 0, events: Vec::new(), profile }
    }

    /// Sends a command (to a page's session, or to the browser) and returns its `result`;
    /// panics with the protocol's error message.
    pub fn call(&mut self, page: Option<&Page>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(p) = page {
            message["sessionId"] = json!(p.0);
        }
        self.ws.send(&message.to_string());
        loop {
            let answer: Value = serde_json::from_str(&self.ws.recv()).expect("DevTools JSON");
            if answer["id"].as_u64() == Some(id) {
                if let Some(err) = answer.get("error") {
                    panic!("DevTools {method}: {err}");
                }
                return answer["result"].clone();
            }
            if answer.get("method").is_some() {
                self.events.push(answer);
            }
        }
    }

    /// A new page with the Page, Runtime and Log domains enabled (their events are kept).
    pub fn page(&mut self) -> Page {
        let target = self.call(None, "Target.createTarget", json!({ "url": "about:blank" }));
        let attached = self.call(None, "Target.attachToTarget", json!({ "targetId": target["targetId"], "flatten": true }));
        let page = Page(attached["sessionId"].as_str().expect("sessionId").to_string());
        for domain in ["Page.enable", "Runtime.enable", "Log.enable"] {
            self.call(Some(&page), domain, json!({}));
        }
        page
    }

    /// Loads `url` and waits for its load event.
    pub fn navigate(&mut self, page: &Page, url: &str) {
        let seen = self.events.len();
        let answer = self.call(Some(page), "Page.navigate", json!({ "url": url }));
        if let Some(err) = answer.get("errorText") {
            panic!("navigate to {url}: {err}");
        }
        self.wait_event(page, "Page.loadEventFired", seen);
    }

    /// Waits for an event of `method` on `page` received after the first `after` events.
    pub fn wait_event(&mut self, page: &Page, method: &str, after: usize) {
        let started = Instant::now();
        loop {
            if self.events[after.min(self.events.len())..].iter().any(|e| e["method"] == method && e["sessionId"] == page.0.as_str()) {
                return;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "no {method} within 60 s");
            // A cheap command brings in the events queued before its answer.
            self.call(Some(page), "Runtime.evaluate", json!({ "expression": "0" }));
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Evaluates a JavaScript expression on the page (promises awaited) and returns its
    /// value; panics on an exception.
    pub fn eval(&mut self, page: &Page, expression: &str) -> Value {
        let answer = self.call(Some(page), "Runtime.evaluate", json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }));
        if let Some(exception) = answer.get("exceptionDetails") {
            panic!("JavaScript `{expression}` threw: {exception}");
        }
        answer["result"]["value"].clone()
    }

    /// Polls `expression` until it is truthy (up to `seconds`); returns its value.
    pub fn wait_for(&mut self, page: &Page, expression: &str, seconds: u64) -> Value {
        let started = Instant::now();
        loop {
            let value = self.eval(page, expression);
            if !(value.is_null() || value == json!(false) || value == json!("") || value == json!(0)) {
                return value;
            }
            assert!(started.elapsed() < Duration::from_secs(seconds), "`{expression}` not true within {seconds} s");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Saves a PNG screenshot of the page.
    pub fn screenshot(&mut self, page: &Page, path: &Path) -> u64 {
        let shot = self.call(Some(page), "Page.captureScreenshot", json!({ "format": "png" }));
        let png = base64_decode(shot["data"].as_str().expect("screenshot data"));
        std::fs::write(path, &png).expect("write the screenshot");
        png.len() as u64
    }

    /// Console messages of level error or warning, uncaught exceptions and log entries of
    /// level error, as text (all pages).
    pub fn console_problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for e in &self.events {
            let p = &e["params"];
            match e["method"].as_str() {
                Some("Runtime.consoleAPICalled") if matches!(p["type"].as_str(), Some("error" | "warning" | "assert")) => out.push(format!("console.{}: {}", p["type"].as_str().unwrap_or(""), p["args"])),
                Some("Runtime.exceptionThrown") => out.push(format!("exception: {}", p["exceptionDetails"])),
                Some("Log.entryAdded") if p["entry"]["level"] == "error" => out.push(format!("log: {} ({})", p["entry"]["text"], p["entry"]["url"])),
                _ => {}
            }
        }
        out
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Standard base64 (RFC 4648) to bytes; `=` padding and whitespace ignored.
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let (mut out, mut acc, mut bits) = (Vec::with_capacity(text.len() * 3 / 4), 0u32, 0u32);
    for v in text.bytes().filter_map(value) {
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

#[test]
fn base64_decodes_rfc_4648_vectors() {
    for (text, bytes) in [("", ""), ("Zg==", "f"), ("Zm8=", "fo"), ("Zm9v", "foo"), ("Zm9vYg==", "foob"), ("Zm9vYmE=", "fooba"), ("Zm9vYmFy", "foobar")] {
        assert_eq!(base64_decode(text), bytes.as_bytes(), "{text}");
    }
}

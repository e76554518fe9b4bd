//! The explorer: a web page the node serves itself (`--explorer-port`, on by default for
//! `--dev`), that shows the model lineage and the network in a browser.
//!
//! The page is three static files compiled into the binary (`node/explorer/`: HTML, one
//! JavaScript module, CSS; no library, nothing fetched from the internet). It talks to the node
//! over the node's own JSON-RPC WebSocket, whose address it reads from `/config.json`. This
//! server only hands out those files: it reads one request line and its headers (at most
//! [`MAX_REQUEST`] bytes; a longer one gets 431), answers `GET` and `HEAD`, and closes the
//! connection.

use polkadot_sdk::sc_service::Configuration;
use std::{net::SocketAddr, time::Duration};
use tokio::{
	io::{AsyncReadExt, AsyncWriteExt},
	net::{TcpListener, TcpStream},
};

/// The explorer's port when `--dev` runs a node and no `--explorer-port` is given.
pub const DEV_PORT: u16 = 9955;

/// The longest request (line and headers) read before answering 431.
const MAX_REQUEST: usize = 8 * 1024;

/// How long a client may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The page's files: path, content type, body.
const FILES: [(&str, &str, &str); 3] = [
	("/", "text/html; charset=utf-8", include_str!("../explorer/index.html")),
	("/app.js", "text/javascript; charset=utf-8", include_str!("../explorer/app.js")),
	("/style.css", "text/css; charset=utf-8", include_str!("../explorer/style.css")),
];

/// Where the explorer listens, and the RPC address the page connects to.
#[derive(Clone, Debug)]
pub struct ExplorerOptions {
	/// The explorer's own address.
	pub listen: SocketAddr,
	/// The node's JSON-RPC WebSocket, as the page should reach it (`ws://127.0.0.1:9944`).
	pub rpc_url: String,
}

impl ExplorerOptions {
	/// The explorer of a node with `config` on `port`, or on [`DEV_PORT`] for `--dev`;
	/// `None` when it is off (not asked for, or `--no-explorer`, or the node serves no RPC). It
	/// listens on the same interface as the RPC server: loopback unless `--rpc-external`.
	pub fn new(config: &Configuration, port: Option<u16>, off: bool, dev: bool) -> Option<Self> {
		let port = if off { None } else { port.or(dev.then_some(DEV_PORT)) }?;
		let rpc = config.rpc.addr.as_ref()?.first()?.listen_addr;
		let listen = SocketAddr::new(rpc.ip(), port);
		let host = if rpc.ip().is_unspecified() { "127.0.0.1".into() } else { rpc.ip().to_string() };
		let host = if rpc.is_ipv6() && !rpc.ip().is_unspecified() { format!("[{host}]") } else { host };
		Some(Self { listen, rpc_url: format!("ws://{host}:{}", rpc.port()) })
	}
}

/// Serves the explorer on `listener` until the node stops.
pub async fn serve(listener: std::net::TcpListener, rpc_url: String) {
	let config = format!("{{\"rpc\":{}}}", serde_json::Value::String(rpc_url));
	let listener = match listener.set_nonblocking(true).and_then(|()| TcpListener::from_std(listener)) {
		Ok(listener) => listener,
		Err(e) => {
			log::error!(target: "explorer", "the explorer cannot listen: {e}");
			return;
		},
	};
	loop {
		match listener.accept().await {
			Ok((stream, _)) => {
				let config = config.clone();
				tokio::spawn(async move {
					if let Err(e) = answer(stream, &config).await {
						log::debug!(target: "explorer", "explorer request: {e}");
					}
				});
			},
			Err(e) => {
				log::warn!(target: "explorer", "explorer: accept failed: {e}");
				tokio::time::sleep(Duration::from_millis(100)).await;
			},
		}
	}
}

/// How the reading of a request ended.
enum Read {
	/// The request line and headers, whole.
	Complete,
	/// Longer than [`MAX_REQUEST`]: the rest of its headers were read and dropped.
	TooLarge,
	/// The client closed the connection, or was too slow, or sent more than [`MAX_DISCARD`].
	Abandoned,
}

/// The most bytes of an over-long request read (and dropped) before the 431 answer, so that the
/// client reads the answer instead of a reset connection.
const MAX_DISCARD: usize = 1024 * 1024;

/// Reads one request from `stream` and answers it.
async fn answer(mut stream: TcpStream, config: &str) -> std::io::Result<()> {
	let mut request = Vec::with_capacity(1024);
	let read = tokio::time::timeout(READ_TIMEOUT, read_request(&mut stream, &mut request))
		.await
		.unwrap_or(Ok(Read::Abandoned))?;
	let response = match read {
		Read::Complete => respond(&request, config),
		Read::TooLarge => {
			Response::text(431, "Request Header Fields Too Large", "request too large\n")
		},
		Read::Abandoned => return Ok(()),
	};
	stream.write_all(&response.bytes()).await?;
	stream.shutdown().await
}

/// Reads the request line and headers into `request` (at most [`MAX_REQUEST`] bytes kept).
async fn read_request(stream: &mut TcpStream, request: &mut Vec<u8>) -> std::io::Result<Read> {
	const END: &[u8] = b"\r\n\r\n";
	let mut buffer = [0u8; 4096];
	let mut total = 0usize;
	loop {
		let n = stream.read(&mut buffer).await?;
		if n == 0 || total > MAX_DISCARD {
			return Ok(Read::Abandoned);
		}
		total = total.saturating_add(n);
		// Keep three bytes of what came before, where the end of the headers may begin.
		let from = request.len().saturating_sub(END.len() - 1);
		request.extend_from_slice(&buffer[..n]);
		let ended = request[from..].windows(END.len()).any(|w| w == END);
		match (ended, total > MAX_REQUEST) {
			(true, false) => return Ok(Read::Complete),
			(true, true) => return Ok(Read::TooLarge),
			(false, true) => {
				let keep = request.split_off(request.len() - (END.len() - 1));
				*request = keep;
			},
			(false, false) => {},
		}
	}
}

/// An HTTP response.
#[derive(Debug, PartialEq)]
struct Response {
	status: u16,
	reason: &'static str,
	content_type: &'static str,
	body: Vec<u8>,
	head: bool,
	allow: bool,
}

impl Response {
	fn text(status: u16, reason: &'static str, body: &str) -> Self {
		Self {
			status,
			reason,
			content_type: "text/plain; charset=utf-8",
			body: body.as_bytes().to_vec(),
			head: false,
			allow: false,
		}
	}

	fn bytes(&self) -> Vec<u8> {
		let mut out = format!(
			"HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\n\
			 X-Content-Type-Options: nosniff\r\nConnection: close\r\n",
			self.status,
			self.reason,
			self.content_type,
			self.body.len()
		)
		.into_bytes();
		if self.allow {
			out.extend_from_slice(b"Allow: GET, HEAD\r\n");
		}
		out.extend_from_slice(b"\r\n");
		if !self.head {
			out.extend_from_slice(&self.body);
		}
		out
	}
}

/// The answer to `request` (its line and headers).
fn respond(request: &[u8], config: &str) -> Response {
	let line = request.split(|&b| b == b'\r').next().unwrap_or_default();
	let mut parts = line.split(|&b| b == b' ');
	let (method, target) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
	let head = method == b"HEAD";
	if method != b"GET" && !head {
		return Response {
			allow: true,
			..Response::text(405, "Method Not Allowed", "only GET and HEAD\n")
		};
	}
	let path = target.split(|&b| b == b'?' || b == b'#').next().unwrap_or_default();
	let path = match path {
		b"/index.html" => &b"/"[..],
		path => path,
	};
	let found = FILES.iter().find(|(name, _, _)| name.as_bytes() == path);
	let response = match (found, path) {
		(Some((_, content_type, body)), _) => Response {
			content_type: *content_type,
			body: body.as_bytes().to_vec(),
			..Response::text(200, "OK", "")
		},
		(None, b"/config.json") => Response {
			content_type: "application/json",
			body: config.as_bytes().to_vec(),
			..Response::text(200, "OK", "")
		},
		_ => Response::text(404, "Not Found", "not found: the explorer serves /\n"),
	};
	Response { head, ..response }
}

//! Refusing to start on ports another process holds.
//!
//! Substrate's RPC server quietly falls back to a random port when its port is taken, and the
//! network may start without its listen address; an operator who asked for `--rpc-port 9944`
//! would then find nothing there. `swarm-node` instead stops before starting, saying which port is
//! taken and by which option it was chosen.

use polkadot_sdk::{
	sc_cli,
	sc_network::{multiaddr::Protocol, Multiaddr},
	sc_service::Configuration,
};
use std::net::{IpAddr, SocketAddr, TcpListener};

/// Checks that the RPC, p2p and Prometheus ports are free, and makes the RPC server fail rather
/// than move to a random port.
pub fn ensure_available(config: &mut Configuration) -> sc_cli::Result<()> {
	for endpoint in config.rpc.addr.iter_mut().flatten() {
		endpoint.retry_random_port = false;
		if !endpoint.is_optional {
			check(endpoint.listen_addr, "the JSON-RPC server", "--rpc-port")?;
		}
	}
	for address in &config.network.listen_addresses {
		if let Some(socket) = tcp_socket(address) {
			check(socket, "the p2p network", "--port")?;
		}
	}
	if let Some(prometheus) = &config.prometheus_config {
		check(prometheus.port, "the Prometheus exporter", "--prometheus-port")?;
	}
	Ok(())
}

fn check(address: SocketAddr, what: &str, option: &str) -> sc_cli::Result<()> {
	match TcpListener::bind(address) {
		Ok(_) => Ok(()),
		// An address family this machine lacks (e.g. no IPv6) is not a conflict.
		Err(e) if e.kind() == std::io::ErrorKind::AddrNotAvailable => Ok(()),
		Err(e) => Err(taken(address, what, option, e)),
	}
}

/// Listens on `address` for `what` (a server of the node's own, chosen with `option`).
pub fn listen(address: SocketAddr, what: &str, option: &str) -> sc_cli::Result<TcpListener> {
	TcpListener::bind(address).map_err(|e| taken(address, what, option, e))
}

fn taken(address: SocketAddr, what: &str, option: &str, e: std::io::Error) -> sc_cli::Error {
	sc_cli::Error::Input(format!(
		"port {} for {what} is not available ({e}): another process (another swarm-node?) \
		 holds it; stop it, or choose another port with {option}",
		address.port()
	))
}

/// The TCP socket address of a `/ip4|ip6/<ip>/tcp/<port>` multiaddr.
fn tcp_socket(address: &Multiaddr) -> Option<SocketAddr> {
	let mut ip: Option<IpAddr> = None;
	for protocol in address.iter() {
		match protocol {
			Protocol::Ip4(v4) => ip = Some(v4.into()),
			Protocol::Ip6(v6) => ip = Some(v6.into()),
			Protocol::Tcp(port) if port != 0 => return ip.map(|ip| SocketAddr::new(ip, port)),
			_ => {},
		}
	}
	None
}

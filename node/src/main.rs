//! # swarm-node
//!
//! The Swarmchain validator node. `swarm-node --dev` runs a single-validator development chain;
//! `swarm-node --help` lists everything else.

#![warn(missing_docs)]

mod chain_spec;
mod cli;
mod command;
mod content;
mod explorer;
mod ports;
mod rpc;
mod service;

fn main() {
	if let Err(error) = command::run() {
		// One readable line on stderr and a non-zero exit, never a backtrace: `sc_cli::Error`'s
		// `Display` carries the cause (unknown chain, bad spec file, port in use, bad seed, ...).
		eprintln!("Error: {error}");
		std::process::exit(1);
	}
}

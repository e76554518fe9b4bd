//! The command line: `swarm-node [OPTIONS]` runs a node; subcommands manage keys, chain specs and
//! the database.

use polkadot_sdk::sc_cli;

/// Command line of `swarm-node`.
#[derive(Debug, clap::Parser)]
#[command(
	propagate_version = true,
	args_conflicts_with_subcommands = true,
	subcommand_negates_reqs = true
)]
pub struct Cli {
	/// A subcommand; without one, the node runs.
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	/// Options of a running node (see `swarm-node --help`).
	#[clap(flatten)]
	pub run: sc_cli::RunCmd,

	/// Threads of the ML engine that runs this node's compute work (inference jobs). The node
	/// keeps authoring and importing blocks on its other cores; results do not depend on it.
	#[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
	pub ml_threads: u16,

	/// This node's own training data for federated training rounds: a folder with
	/// Fashion-MNIST-style IDX files (`train-images-idx3-ubyte[.gz]`,
	/// `train-labels-idx1-ubyte[.gz]`), e.g. a shard written by `swarm-ml split`. The data never
	/// leaves the node; only the weights trained on it do.
	#[arg(long, value_name = "DIR")]
	pub training_data: Option<std::path::PathBuf>,

	/// Serve the explorer, a web page of the model lineage and the network, on this port (on
	/// the RPC server's interface: loopback unless `--rpc-external`). On by default for
	/// `--dev`, on port 9955; off otherwise.
	#[arg(long, value_name = "PORT")]
	pub explorer_port: Option<u16>,

	/// Do not serve the explorer, not even for `--dev`.
	#[arg(long, conflicts_with = "explorer_port")]
	pub no_explorer: bool,
}

/// The subcommands of `swarm-node`.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management: generate, inspect and insert keys (aura, gran, and the `swrk` worker key).
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Export a chain spec (`--chain dev|local|<file>`, `--raw` for the raw form).
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Build a chain spec (legacy; prefer `export-chain-spec`).
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Print information about the database (best and finalized block).
	ChainInfo(sc_cli::ChainInfoCmd),
}

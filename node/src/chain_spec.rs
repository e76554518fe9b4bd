//! Chain specs: built from the runtime's genesis presets, or read from a JSON file.

use polkadot_sdk::{
	sc_chain_spec::ChainType,
	sc_service,
	sp_genesis_builder::{DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET},
};
use serde_json::json;
use swarm_runtime::{
	currency::{DECIMALS, TOKEN_SYMBOL},
	WASM_BINARY,
};

/// The chain spec type of Swarmchain (no chain-spec extensions).
pub type ChainSpec = sc_service::GenericChainSpec;

/// The runtime wasm, or an error that says how to get one.
fn wasm_binary() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"this swarm-node was built without the runtime wasm (SKIP_WASM_BUILD was set); \
		 rebuild it without SKIP_WASM_BUILD to use built-in chains"
			.to_string()
	})
}

/// Token metadata that wallets such as polkadot.js show.
fn properties() -> sc_service::Properties {
	let value = json!({ "tokenSymbol": TOKEN_SYMBOL, "tokenDecimals": DECIMALS, "ss58Format": 42 });
	value.as_object().cloned().unwrap_or_default()
}

/// `--dev`: one validator (Alice), blocks every 3 seconds.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("Swarmchain Development")
		.with_id("swarm_dev")
		.with_chain_type(ChainType::Development)
		.with_genesis_config_preset_name(DEV_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// `--chain local`: two validators (Alice and Bob) on one machine.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("Swarmchain Local Testnet")
		.with_id("swarm_local")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(LOCAL_TESTNET_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

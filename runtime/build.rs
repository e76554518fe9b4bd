//! Builds the runtime's wasm blob (unless `SKIP_WASM_BUILD` is set) and exposes it to the native
//! build as `WASM_BINARY`.

fn main() {
	#[cfg(feature = "std")]
	polkadot_sdk::substrate_wasm_builder::WasmBuilder::build_using_defaults();
}

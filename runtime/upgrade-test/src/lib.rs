//! # Upgrade-test runtime
//!
//! The Swarmchain runtime one `spec_version` later (`swarm-runtime`'s `upgrade-test` feature),
//! compiled to wasm only. The forkless-upgrade test (`node/e2e/tests/runtime-upgrade.test.mjs`)
//! sets it as a running chain's code with `sudo(system.setCode)`: the chain then runs a runtime
//! it did not start with, and the storage migrations of the runtime's `Migrations` run.
//!
//! The wasm build of this crate is the runtime itself (it re-exports it, so the blob exports the
//! runtime's entry points and `runtime_version` section). The native build only tells where the
//! blob is: [`WASM_BINARY_PATH`], `<target>/release/wbuild/swarm-runtime-upgrade-test/
//! swarm_runtime_upgrade_test.compact.compressed.wasm`, built by `cargo build --release -p
//! swarm-runtime-upgrade-test` (and by `make build`, which builds the workspace). The node never
//! depends on this crate: what it embeds is the normal runtime's wasm.

#![cfg_attr(not(feature = "std"), no_std)]

#[cfg(target_arch = "wasm32")]
pub use swarm_runtime::*;

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

//! Storage migrations of the compute-nodes pallet, one module per storage version.
//!
//! Each is a [`VersionedMigration`](polkadot_sdk::frame_support::migrations::VersionedMigration):
//! it runs only when the on-chain storage version is the one it migrates from, then sets the
//! version it migrates to, so a runtime may keep it in its `Migrations` after it has run. The
//! runtime lists them in order; ARCHITECTURE.md ("Upgrades and migrations") has the procedure.
//!
//! - [`v1`]: every node's record gains its count of work done, from zero.

pub mod v1;

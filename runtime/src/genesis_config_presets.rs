//! Genesis presets: the named starting states a chain spec can be built from.
//!
//! - `development` (`--dev`): one validator (Alice), who is also sudo.
//! - `local_testnet` (`--chain local`): two validators (Alice and Bob); Alice is sudo.
//!
//! Validators are bonded candidates of the validator set ([`VALIDATOR_BOND`] each) with session
//! keys; more may join by bonding ([`test_network_validator_terms`]: sessions of 50 blocks).
//!
//! In both, the well-known dev accounts Alice, Bob, Charlie, Dave, Eve and Ferdie are funded with
//! [`ENDOWMENT`], and each block mints [`EMISSION_PER_BLOCK`] (a fifth to its author, the rest
//! into the reward pot); inference jobs and training rounds use short windows ([`test_network_timing`],
//! [`test_network_round_timing`]). A preset is a JSON patch over the default genesis config; `swarm-node
//! export-chain-spec` writes it out, and `chain-spec/README.md` explains how to make a spec for a
//! real network from it.

use crate::{
	currency::UNIT, opaque::SessionKeys, AccountId, Balance, BalancesConfig, BlockNumber,
	InferenceConfig, RewardsConfig, RuntimeGenesisConfig, SessionConfig, SudoConfig,
	TrainingConfig, ValidatorSetConfig,
};
use alloc::{vec, vec::Vec};
use polkadot_sdk::{
	frame_support::build_struct_json_patch,
	sp_consensus_aura::sr25519::AuthorityId as AuraId,
	sp_consensus_grandpa::AuthorityId as GrandpaId,
	sp_genesis_builder::{self, PresetId},
	sp_keyring::{Ed25519Keyring, Sr25519Keyring},
	sp_runtime::Perbill,
};
use serde_json::Value;

/// What each dev account holds at genesis: one million SWARM.
pub const ENDOWMENT: Balance = 1_000_000 * UNIT;

/// What each block mints: one SWARM, a fifth of it to the block's author, the rest into the
/// reward pot.
pub const EMISSION_PER_BLOCK: Balance = UNIT;

/// What each genesis validator bonds: 1,000 SWARM (the test networks' minimum).
pub const VALIDATOR_BOND: Balance = 1_000 * UNIT;

/// A genesis validator: its account and its consensus keys, Aura for producing blocks and
/// GRANDPA for finalizing them.
pub type ValidatorKeys = (AccountId, AuraId, GrandpaId);

/// The genesis state shared by all presets: `validators` (bonded with [`VALIDATOR_BOND`]) author
/// and finalize, `endowed` accounts hold [`ENDOWMENT`] each, and `root` is the sudo key.
///
/// The Aura and GRANDPA authorities come from the session keys (`pallet-session` hands them
/// over at genesis), so their own genesis lists stay empty.
pub fn genesis(validators: Vec<ValidatorKeys>, endowed: Vec<AccountId>, root: AccountId) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed.into_iter().map(|account| (account, ENDOWMENT)).collect::<Vec<_>>(),
		},
		session: SessionConfig {
			keys: validators
				.iter()
				.map(|(account, aura, grandpa)| {
					(
						account.clone(),
						account.clone(),
						SessionKeys { aura: aura.clone(), grandpa: grandpa.clone() },
					)
				})
				.collect::<Vec<_>>(),
		},
		validator_set: ValidatorSetConfig {
			candidates: validators
				.iter()
				.map(|(account, _, _)| (account.clone(), VALIDATOR_BOND))
				.collect::<Vec<_>>(),
			terms: Some(test_network_validator_terms()),
		},
		sudo: SudoConfig { key: Some(root) },
		rewards: RewardsConfig {
			emission_per_block: EMISSION_PER_BLOCK,
			author_share: Perbill::from_percent(20),
		},
		inference: InferenceConfig {
			timing: Some(test_network_timing()),
			dispute_terms: Some(test_network_dispute_terms()),
		},
		training: TrainingConfig {
			timing: Some(test_network_round_timing()),
			dispute_terms: Some(test_network_dispute_terms()),
		},
	})
}

/// The validator set of the dev and local test networks: a bond of at least 1,000 SWARM, up to
/// 32 validators, sessions of 50 blocks (2.5 minutes: a new validator authors within five) and
/// an unbonding period of 20 blocks. The block that starts a session carries no transactions
/// (`pallet-session` gives the rotation the whole block), so sessions are not shorter: tests
/// that need faster rotation shorten them with `validatorSet.setTerms`.
pub fn test_network_validator_terms() -> pallet_validator_set::TermsOf<crate::Runtime> {
	pallet_validator_set::ValidatorTerms {
		min_bond: VALIDATOR_BOND,
		max_validators: 32,
		session_length: 50,
		unbonding_period: 20,
	}
}

/// Job windows of the dev and local test networks: short, so that a job settles within a few
/// blocks and its payments are final 15 s later (the challenge window); closed jobs are kept an
/// hour.
pub fn test_network_timing() -> pallet_inference::Timing<BlockNumber> {
	pallet_inference::Timing {
		commit_window: 5,
		reveal_window: 5,
		job_timeout: 15,
		challenge_window: 5,
		retention: 1_200,
	}
}

/// Challenges of jobs and rounds on the dev and local test networks: a committee of three (a few
/// nodes suffice), for a bond of 1 SWARM.
pub fn test_network_dispute_terms() -> pallet_inference::DisputeTerms<Balance> {
	pallet_inference::DisputeTerms { bond: UNIT, replicas: 3 }
}

/// Round windows of the dev and local test networks: each phase ends as soon as everyone it
/// waits for has acted, so the windows only bound a round whose nodes fail; training has a
/// minute, the rest 15 to 30 s; payments are final 15 s after the decision (the challenge
/// window); closed rounds are kept an hour.
pub fn test_network_round_timing() -> pallet_training::Timing<BlockNumber> {
	pallet_training::Timing {
		join_window: 10,
		train_window: 20,
		upload_window: 10,
		commit_window: 10,
		reveal_window: 5,
		publish_window: 5,
		challenge_window: 5,
		retention: 1_200,
	}
}

/// A well-known dev account as a validator, with consensus keys derived from its name
/// (`//Alice`, ...).
fn dev_validator(sr: Sr25519Keyring, ed: Ed25519Keyring) -> ValidatorKeys {
	(sr.to_account_id(), sr.public().into(), ed.public().into())
}

/// Alice, Bob, Charlie, Dave, Eve and Ferdie.
fn dev_accounts() -> Vec<AccountId> {
	use Sr25519Keyring::*;
	[Alice, Bob, Charlie, Dave, Eve, Ferdie].into_iter().map(|k| k.to_account_id()).collect()
}

/// The `development` preset: Alice validates alone.
pub fn development() -> Value {
	genesis(
		vec![dev_validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		dev_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// The `local_testnet` preset: Alice and Bob validate.
pub fn local_testnet() -> Value {
	genesis(
		vec![
			dev_validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			dev_validator(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
		],
		dev_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// The JSON patch of the preset called `id`, or `None` if there is no such preset.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_testnet(),
		_ => return None,
	};
	// Serializing a `serde_json::Value` cannot fail; `ok()` keeps the runtime free of panics.
	serde_json::to_vec(&patch).ok()
}

/// The names of the presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}

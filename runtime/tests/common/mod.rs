//! What the runtime's integration tests share: state from a genesis preset, and transactions
//! signed as wallets sign them.

// Each test crate uses a part of it.
#![allow(dead_code)]

use codec::Encode;
use polkadot_sdk::{
	frame_support::genesis_builder_helper::build_state,
	frame_system, pallet_transaction_payment,
	sp_core::Pair,
	sp_io::TestExternalities,
	sp_keyring::Sr25519Keyring,
	sp_runtime::{generic::Era, MultiSignature},
	*,
};
use swarm_runtime::{
	genesis_config_presets, RuntimeCall, RuntimeGenesisConfig, SignedPayload, TxExtension,
	UncheckedExtrinsic,
};

/// Test state built from the named genesis preset, as a node builds it from a chain spec.
pub fn preset_ext(preset: &str) -> TestExternalities {
	preset_ext_with(preset, |_| {})
}

/// Test state built from the named genesis preset after `edit` changed its genesis config (the
/// JSON of a chain spec).
pub fn preset_ext_with(preset: &str, edit: impl FnOnce(&mut serde_json::Value)) -> TestExternalities {
	let patch = genesis_config_presets::get_preset(&preset.into()).expect("the preset exists");
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
	json_patch(&mut config, serde_json::from_slice(&patch).unwrap());
	edit(&mut config);
	let mut ext = TestExternalities::new_empty();
	ext.execute_with(|| {
		build_state::<RuntimeGenesisConfig>(config.to_string().into_bytes()).unwrap()
	});
	ext
}

/// Merges `patch` into `base` (objects key by key, everything else replaced).
fn json_patch(base: &mut serde_json::Value, patch: serde_json::Value) {
	match (base, patch) {
		(serde_json::Value::Object(base), serde_json::Value::Object(patch)) => {
			for (key, value) in patch {
				json_patch(base.entry(key).or_insert(serde_json::Value::Null), value);
			}
		},
		(base, patch) => *base = patch,
	}
}

/// The transaction extensions of a transaction with `nonce`, as polkadot.js sets them.
pub fn extension(nonce: u32) -> TxExtension {
	(
		frame_system::AuthorizeCall::new(),
		frame_system::CheckNonZeroSender::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(Era::Immortal),
		frame_system::CheckNonce::from(nonce),
		frame_system::CheckWeight::new(),
		pallet_transaction_payment::ChargeTransactionPayment::from(0),
		frame_metadata_hash_extension::CheckMetadataHash::new(false),
		frame_system::WeightReclaim::new(),
	)
}

/// `call` signed by `signer`, as polkadot.js makes it.
pub fn signed(signer: Sr25519Keyring, call: RuntimeCall, nonce: u32) -> UncheckedExtrinsic {
	signed_by(&signer.pair(), call, nonce)
}

/// `call` signed by the account of `pair`, as polkadot.js makes it.
pub fn signed_by(
	pair: &polkadot_sdk::sp_core::sr25519::Pair,
	call: RuntimeCall,
	nonce: u32,
) -> UncheckedExtrinsic {
	let extension = extension(nonce);
	let payload = SignedPayload::new(call.clone(), extension.clone()).unwrap();
	let signature = MultiSignature::from(payload.using_encoded(|bytes| pair.sign(bytes)));
	let account = swarm_runtime::AccountId::from(pair.public());
	UncheckedExtrinsic::new_signed(call, account.into(), signature, extension)
}

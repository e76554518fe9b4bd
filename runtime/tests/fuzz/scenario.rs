//! Scenarios: short sequences of well-formed calls that set up what random calls cannot (a file
//! whose chunk hashes to its hash, a node whose key proof is a signature, a model the engine
//! runs), so that the random calls that follow, and the offchain workers, reach the code behind
//! them. Each step is made when its turn comes, from the state then.

use super::{gen::Rng, worker::CLASSES, Origin};
use codec::Encode;
use polkadot_sdk::{
	sp_core::{sr25519, Pair, H256},
	sp_io::hashing::blake2_256,
	sp_runtime::{Perbill, RuntimeAppPublic},
};
use swarm_primitives::worker;
use swarm_runtime::{currency::UNIT, AccountId, ComputeNodes, Runtime, RuntimeCall};
use swarm_worker_interface::{
	AggregationMethod, AggregationRule, LabelledFile, Optimizer, TrainingSpec,
};

/// A step of a scenario: the signer's index among the signers, and the pool of signers' accounts,
/// give the call to make now; `None` to skip it.
pub type Step = Box<dyn FnOnce(&[AccountId]) -> Option<(Origin, RuntimeCall)>>;

/// How many active nodes the scenarios keep registering nodes up to ...
const ACTIVE_NODES: usize = 8;
/// ... and the most nodes (of any status) they register.
const MAX_NODES: u32 = 32;

/// The engine's canonical configuration of an MLP on 1 × 2 × 2 inputs with [`CLASSES`] classes
/// (see `swarm_primitives::model_config`).
pub fn mlp_config() -> Vec<u8> {
	let mut bytes = vec![1u8, 1];
	for word in [1u32, 2, 2, CLASSES, 0, 1, 8] {
		bytes.extend_from_slice(&word.to_le_bytes());
	}
	bytes
}

/// The values of one sample of [`mlp_config`]'s input.
const SAMPLE_LEN: usize = 4;

/// A random scenario for one of the first `signers` signers (the funded ones).
pub fn plan(rng: &mut Rng, signers: usize) -> Vec<Step> {
	let signer = rng.below(signers as u64) as usize;
	let few = ComputeNodes::active_nodes().len() < ACTIVE_NODES &&
		pallet_compute_nodes::NodeCount::<Runtime>::get() < MAX_NODES;
	let roll = if few { 0 } else { rng.below(20) };
	match roll {
		0..=2 => node(rng, signer),
		3 => opt_in(rng, signer),
		4 if rng.chance(50) => rotate(rng, signer),
		4 => unjail(rng, signer),
		5..=8 => model(rng, signer),
		9 => alias(rng, signer),
		10..=15 => request(rng, signer),
		16 | 17 => round(rng, signer),
		_ => upload(signer, rng.some_bytes(1, 300)).0,
	}
}

/// A node of `owner`'s, the `pick`th (modulo their number), if it has one.
fn node_of(owner: &AccountId, pick: u64) -> Option<u64> {
	let nodes: Vec<u64> =
		pallet_compute_nodes::NodesByOwner::<Runtime>::iter_key_prefix(owner).collect();
	nodes.get((pick % nodes.len().max(1) as u64) as usize).copied()
}

/// A worker key in the keystore, from a seed: the same run, the same keys (and no mnemonic to
/// stretch at each signature).
fn keystore_key(seed: &[u8; 32]) -> worker::Public {
	let seed = format!("0x{}", polkadot_sdk::sp_core::hexdisplay::HexDisplay::from(seed));
	worker::Public::generate_pair(Some(seed.into_bytes()))
}

/// Lets the workers of one of the signer's nodes challenge for it, when outvoted.
fn opt_in(rng: &mut Rng, signer: usize) -> Vec<Step> {
	let pick = rng.next();
	let inference: Step = Box::new(move |signers| {
		let node = node_of(signers.get(signer)?, pick)?;
		signed(signer, pallet_inference::Call::set_auto_challenge { node, enabled: true })
	});
	let training: Step = Box::new(move |signers| {
		let node = node_of(signers.get(signer)?, pick)?;
		signed(signer, pallet_training::Call::set_auto_challenge { node, enabled: true })
	});
	vec![inference, training]
}

/// Gives one of the signer's nodes a new worker key, in the keystore.
fn rotate(rng: &mut Rng, signer: usize) -> Vec<Step> {
	let pick = rng.next();
	let seed = rng.hash();
	vec![Box::new(move |signers| {
		let owner = signers.get(signer)?;
		let node = node_of(owner, pick)?;
		let new_key = keystore_key(&seed);
		let proof = new_key.sign(&ComputeNodes::key_proof_payload(owner, &new_key))?;
		signed(signer, pallet_compute_nodes::Call::rotate_worker_key { node, new_key, proof })
	})]
}

/// Asks to let one of the signer's nodes out of jail.
fn unjail(rng: &mut Rng, signer: usize) -> Vec<Step> {
	let pick = rng.next();
	vec![Box::new(move |signers| {
		let node = node_of(signers.get(signer)?, pick)?;
		signed(signer, pallet_compute_nodes::Call::unjail { node })
	})]
}

/// Points an alias of one of the signer's models at its first version, and now and then
/// removes it again.
fn alias(rng: &mut Rng, signer: usize) -> Vec<Step> {
	let pick = rng.next();
	let alias = format!("a{}", rng.below(4)).into_bytes();
	let remove = rng.chance(30);
	let found = std::rc::Rc::new(std::cell::Cell::new(None));
	let found_too = found.clone();
	let alias_too = alias.clone();
	let set: Step = Box::new(move |signers| {
		let owner = signers.get(signer)?;
		let models: Vec<(u64, u64)> = pallet_model_registry::Models::<Runtime>::iter()
			.filter(|(_, info)| info.owner == *owner)
			.filter_map(|(model, _)| {
				Some((model, pallet_model_registry::ModelVersions::<Runtime>::get(model, 1)?))
			})
			.take(16)
			.collect();
		let (model, version) = *models.get((pick % models.len().max(1) as u64) as usize)?;
		found.set(Some(model));
		signed(signer, pallet_model_registry::Call::set_alias { model, alias, version })
	});
	let unset: Step = Box::new(move |_| {
		let model = found_too.get().filter(|_| remove)?;
		signed(signer, pallet_model_registry::Call::remove_alias { model, alias: alias_too })
	});
	vec![set, unset]
}

fn signed(signer: usize, call: impl Into<RuntimeCall>) -> Option<(Origin, RuntimeCall)> {
	Some((Origin::Signed(signer), call.into()))
}

/// Uploads `bytes` as a one-chunk file; returns the steps and the file's hash.
fn upload(signer: usize, bytes: Vec<u8>) -> (Vec<Step>, H256) {
	let file = H256(blake2_256(&bytes));
	let size = bytes.len() as u64;
	let steps: Vec<Step> = vec![
		Box::new(move |_| signed(signer, pallet_weights_store::Call::begin_upload { file, size })),
		Box::new(move |_| {
			signed(
				signer,
				pallet_weights_store::Call::upload_chunk { file, index: 0, chunk: file, data: bytes },
			)
		}),
	];
	(steps, file)
}

/// A new model with a first version that the engine runs (its weights uploaded), offered for
/// inference at a price; returns the steps and the model's name.
fn model_steps(rng: &mut Rng, signer: usize) -> (Vec<Step>, Vec<u8>) {
	let weights = rng.some_bytes(64, 512);
	let size = weights.len() as u64;
	let (mut steps, file) = upload(signer, weights);
	let name = format!("m{}", rng.next() % 1_000_000_000).into_bytes();
	let policy = if rng.chance(80) {
		pallet_model_registry::DerivationPolicy::Open
	} else {
		pallet_model_registry::DerivationPolicy::OwnerOnly
	};
	let price = u128::from(rng.below(5)) * UNIT / 10;
	let parent = rng.chance(30).then(|| rng.below(8));
	let (n1, n2, n3) = (name.clone(), name.clone(), name.clone());
	steps.push(Box::new(move |_| {
		signed(
			signer,
			pallet_model_registry::Call::create_model {
				name: n1,
				licence: b"mit".to_vec(),
				description: vec![],
				derivation_policy: policy,
			},
		)
	}));
	steps.push(Box::new(move |_| {
		let model = model_by_name(&n2)?;
		let parents = parent
			.and_then(|n| pallet_model_registry::NextVersionId::<Runtime>::get().checked_sub(n + 1))
			.map(|p| vec![(p, pallet_model_registry::Derivation::Finetune)])
			.unwrap_or_default();
		signed(
			signer,
			pallet_model_registry::Call::publish_version {
				model,
				weights_hash: file,
				weights_size: size,
				config: pallet_model_registry::ConfigInput::Inline(mlp_config()),
				metrics: vec![(b"accuracy".to_vec(), Default::default())],
				parents,
			},
		)
	}));
	steps.push(Box::new(move |_| {
		let model = model_by_name(&n3)?;
		signed(
			signer,
			pallet_inference::Call::set_price {
				target: pallet_inference::PriceTarget::Model(model),
				price: Some(price),
			},
		)
	}));
	(steps, name)
}

fn model(rng: &mut Rng, signer: usize) -> Vec<Step> {
	model_steps(rng, signer).0
}

fn model_by_name(name: &[u8]) -> Option<u64> {
	let name: polkadot_sdk::frame_support::BoundedVec<u8, _> = name.to_vec().try_into().ok()?;
	pallet_model_registry::ModelIdByName::<Runtime>::get(name)
}

/// Registers a node with a new worker key: mostly one in the keystore, whose offchain worker
/// then works for it; now and then one held elsewhere, a node that never answers.
fn node(rng: &mut Rng, signer: usize) -> Vec<Step> {
	let online = rng.chance(85);
	let seed = rng.hash();
	let peer_id = rng.some_bytes(8, 30);
	let bond = (100 + u128::from(rng.below(900))) * UNIT;
	vec![Box::new(move |signers| {
		if pallet_compute_nodes::NodeCount::<Runtime>::get() >= MAX_NODES {
			return None;
		}
		let owner = signers.get(signer)?;
		let (key, proof) = if online {
			let key = keystore_key(&seed);
			let proof = key.sign(&ComputeNodes::key_proof_payload(owner, &key))?;
			(key, proof)
		} else {
			let pair = sr25519::Pair::from_seed(&seed);
			let key = worker::Public::from(pair.public());
			let proof = pair.sign(&ComputeNodes::key_proof_payload(owner, &key));
			(key, worker::Signature::from(proof))
		};
		signed(
			signer,
			pallet_compute_nodes::Call::register_node {
				worker_key: key,
				proof,
				peer_id,
				capabilities: pallet_compute_nodes::CapabilitiesInput {
					cores: 8,
					memory_mib: 65_536,
					accelerator: None,
					formats: vec![pallet_compute_nodes::ModelFormat::Safetensors],
				},
				bond,
			},
		)
	})]
}

/// Requests inference from a version that the engine runs, if there is one.
fn request(rng: &mut Rng, signer: usize) -> Vec<Step> {
	let samples = 1 + rng.below(3) as u32;
	let data = rng.bytes(samples as usize * SAMPLE_LEN);
	let replicas = match rng.below(4) {
		0 => None,
		n => Some(n as u32),
	};
	let pick = rng.next();
	vec![Box::new(move |_| {
		let served: Vec<u64> = pallet_model_registry::Versions::<Runtime>::iter()
			.filter(|(_, info)| {
				matches!(&info.config, pallet_model_registry::ConfigRef::Inline(c) if c[..] == mlp_config()[..])
			})
			.map(|(id, _)| id)
			.take(64)
			.collect();
		let version = *served.get((pick % served.len().max(1) as u64) as usize)?;
		signed(
			signer,
			pallet_inference::Call::request {
				version,
				input: pallet_inference::JobInput::Inline {
					samples,
					data: data.try_into().ok()?,
				},
				replicas,
				max_fee: 10 * UNIT,
			},
		)
	})]
}

/// Opens a training round (or a campaign of rounds) on a new model's first version, with a new
/// validation file; now and then cancels it again.
fn round(rng: &mut Rng, signer: usize) -> Vec<Step> {
	let (mut steps, name) = model_steps(rng, signer);
	const SAMPLES: u32 = 10;
	let validation: Vec<u8> = (0..SAMPLES)
		.flat_map(|_| {
			let mut sample = vec![rng.below(CLASSES.into()) as u8];
			sample.extend(rng.bytes(SAMPLE_LEN));
			sample
		})
		.collect();
	let (upload_steps, validation) = upload(signer, validation);
	steps.extend(upload_steps);
	let min_participants = 1 + rng.below(3) as u32;
	let spec_rng = (
		min_participants,
		min_participants + rng.below(3) as u32,
		1 + rng.below(4) as u32,
		1 + rng.below(3) as u32,
		u128::from(1 + rng.below(10)) * UNIT,
		Perbill::from_percent(rng.below(5) as u32),
		match rng.below(3) {
			0 => AggregationMethod::FedAvg,
			1 => AggregationMethod::Median,
			_ => AggregationMethod::TrimmedMean { trim: 1 },
		},
	);
	let cancel = rng.chance(15);
	steps.push(Box::new(move |_| {
		let (min_participants, max_participants, committee, rounds, budget, tolerance, method) =
			spec_rng;
		let model = model_by_name(&name)?;
		let base = pallet_model_registry::ModelVersions::<Runtime>::get(model, 1)?;
		signed(
			signer,
			pallet_training::Call::open_round {
				spec: pallet_training::RoundSpec {
					base,
					training: TrainingSpec {
						epochs: 1,
						batch_size: 8,
						optimizer: Optimizer::Sgd { lr: 50_000, momentum: 0, weight_decay: 0 },
					},
					rule: AggregationRule { method, clip: None, max_samples: 1_000, server: None },
					min_participants,
					max_participants,
					committee,
					budget,
					validation: LabelledFile { hash: validation.0, samples: SAMPLES },
					tolerance,
					rounds,
				},
			},
		)
	}));
	if cancel {
		steps.push(Box::new(move |_| {
			let round = pallet_training::NextRoundId::<Runtime>::get().checked_sub(1)?;
			signed(signer, pallet_training::Call::cancel_round { round })
		}));
	}
	steps
}

/// A call as a report shows it (cut short if long).
pub fn describe(call: &RuntimeCall) -> String {
	let debug = format!("{call:?}");
	if debug.len() > 2_000 {
		format!("{}… ({} bytes encoded)", &debug[..2_000], call.encode().len())
	} else {
		debug
	}
}

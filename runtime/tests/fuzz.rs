//! The runtime's fuzzer: blocks of random calls, from random origins with random arguments, to
//! every pallet, through the real runtime (natively, in test externalities built from the
//! `development` preset), with every pallet's invariants checked after each block.
//!
//! - **Calls** come from the runtime's type information ([`gen`]): any call of any pallet,
//!   pallets added later included, with arguments biased towards what reaches deep code (the dev
//!   accounts, ids and hashes that events announced, balances around the thresholds). A few calls
//!   are left out, each for a reason ([`gen::EXCLUDED`]). Now and then a scenario
//!   ([`scenario`]) sets up what random bytes cannot: a stored file, a node with a key proof, a
//!   model the engine runs, a job, a training round.
//! - **Origins**: signed transactions from ten accounts (the six dev accounts and four that start
//!   empty), with their nonces, fees and every transaction extension; root, as `sudo.sudo`
//!   signed by Alice; and general (authorized) and bare transactions, as offchain workers send
//!   them. Each goes through the pool's check (`validate_transaction`) and then
//!   `Executive::apply_extrinsic`; a transaction refused is counted, not a failure.
//! - **Blocks**: `initialize_block` with an Aura slot, the timestamp inherent, the transactions
//!   that the offchain workers sent after the previous block, the calls, `finalize_block`; then
//!   the invariants ([`check_invariants`]), then the offchain workers of every pallet
//!   ([`worker`]: a keystore with the registered nodes' worker keys and an ML executor stand-in),
//!   in a storage layer that is thrown away, as a node runs them.
//!
//! A signer left with little is sent funds by the richest (transfers and holds gather the funds in
//! a few accounts). The run is made of chains of blocks from genesis ([`Settings::chain_blocks`]),
//! the first with the run's seed, each next with a seed drawn from it; a seed makes the same run
//! every time (signatures aside, which the runtime never draws from).
//!
//! `FUZZ_CALLS` (default 20,000, the run in `make test`) and `FUZZ_SEED` (hex, or `random`) set
//! the run; `make fuzz` is the long run. A panic or a broken invariant prints the chain's seed,
//! the calls made on it and the block's calls: `FUZZ_SEED=<seed> FUZZ_CALLS=<calls>` replays it,
//! and `FUZZ_CHECK_EACH=1` checks the invariants after every transaction to find the one that
//! breaks them. Every failure found becomes a test at the end of this file.

// A test: a panic here is a failing test.
#![allow(
	clippy::unwrap_used,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::arithmetic_side_effects
)]

#[path = "common/mod.rs"]
mod common;
#[path = "fuzz/gen.rs"]
mod gen;
#[path = "fuzz/scenario.rs"]
mod scenario;
#[path = "fuzz/worker.rs"]
mod worker;

use codec::{Compact, Decode, DecodeLimit, Encode};
use gen::{Gen, Pools, Tally};
use polkadot_sdk::{
	frame_support::{pallet_prelude::TransactionSource, traits::GetCallMetadata},
	frame_system::{self, offchain::CreateAuthorizedTransaction, EventRecord},
	pallet_balances, pallet_sudo, pallet_timestamp,
	sp_consensus_aura::{Slot, AURA_ENGINE_ID},
	sp_core::{sr25519, Pair, H256},
	sp_genesis_builder::DEV_RUNTIME_PRESET,
	sp_io,
	sp_keyring::Sr25519Keyring,
	sp_runtime::{traits::Header as _, Digest, DigestItem, DispatchError},
};
use scenario::Step;
use std::{
	collections::{BTreeMap, VecDeque},
	panic::{catch_unwind, resume_unwind, AssertUnwindSafe},
	time::Instant,
};
use swarm_runtime::{
	time::SLOT_DURATION, AccountId, Executive, Header, Runtime, RuntimeCall, RuntimeError,
	RuntimeEvent, UncheckedExtrinsic,
};

/// Where a transaction comes from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Origin {
	/// Signed by the signer of this index.
	Signed(usize),
	/// Root: `sudo.sudo`, signed by Alice (the dev chain's sudo key).
	Root,
	/// A general transaction without a signer (`#[pallet::authorize]` calls).
	Authorized,
	/// A bare transaction (unsigned, `ValidateUnsigned`).
	Bare,
	/// Sent by an offchain worker of a node whose keys the fuzzer holds.
	Worker,
}

impl Origin {
	fn label(self) -> &'static str {
		match self {
			Origin::Signed(_) => "signed",
			Origin::Root => "root",
			Origin::Authorized => "authorized",
			Origin::Bare => "bare",
			Origin::Worker => "offchain worker",
		}
	}
}

/// How a run goes: from the environment.
#[derive(Clone)]
struct Settings {
	/// Calls to make in all (`FUZZ_CALLS`).
	calls: u64,
	/// The run's seed (`FUZZ_SEED`, hex, or `random`).
	seed: u64,
	calls_per_block: u32,
	/// Blocks of a chain (`FUZZ_CHAIN_BLOCKS`, 700 by default): the run starts again from
	/// genesis after as many. The invariant checks read all of the pallets' state, so that a
	/// chain's blocks cost more the longer it runs (100,000 calls on one chain took 289 s on a
	/// 2-vCPU machine, 80 % of it in the checks); 700 blocks leave time for what takes long (an
	/// upload expires after 600 blocks, a challenge window is 200).
	chain_blocks: u32,
	/// Checks the invariants after every transaction too (`FUZZ_CHECK_EACH=1`), to find the one
	/// that breaks them when replaying a failure.
	check_each: bool,
}

impl Settings {
	fn from_env(default_calls: u64) -> Self {
		let calls = std::env::var("FUZZ_CALLS")
			.ok()
			.map(|c| c.replace('_', "").parse().expect("FUZZ_CALLS is a number"))
			.unwrap_or(default_calls);
		let seed = match std::env::var("FUZZ_SEED").ok().as_deref() {
			None | Some("") => 0x5eed_f022,
			Some("random") => {
				let now = std::time::SystemTime::now()
					.duration_since(std::time::UNIX_EPOCH)
					.unwrap();
				gen::Rng::new(now.as_nanos() as u64 ^ u64::from(std::process::id())).next()
			},
			Some(seed) => {
				let seed = seed.trim_start_matches("0x");
				u64::from_str_radix(seed, 16).expect("FUZZ_SEED is a hex number or `random`")
			},
		};
		let check_each = std::env::var("FUZZ_CHECK_EACH").is_ok_and(|v| v == "1");
		let chain_blocks = std::env::var("FUZZ_CHAIN_BLOCKS")
			.ok()
			.map(|c| c.parse().expect("FUZZ_CHAIN_BLOCKS is a number"))
			.unwrap_or(700);
		Self { calls, seed, calls_per_block: 50, chain_blocks, check_each }
	}
}

/// How many calls in a hundred start a scenario instead of being random.
const SCENARIO_PERCENT: u64 = 10;

/// A signer with less free balance than this gets some from the richest signer.
const FAUCET_BELOW: u128 = 1_000 * swarm_runtime::currency::UNIT;

/// The first slot: blocks are authored one slot after the other from here.
const FIRST_SLOT: u64 = 1_000;

/// What a run did, by pallet: the evidence of what it reached.
#[derive(Default)]
struct PalletFigures {
	/// Transactions the pool or the block refused, by reason.
	refused: Tally,
	/// Calls dispatched that succeeded, by call.
	ok: Tally,
	/// Calls dispatched that failed, by error.
	errors: Tally,
}

#[derive(Default)]
struct Figures {
	calls: u64,
	chains: u32,
	worker_transactions: u64,
	undecodable: u64,
	scenario_steps: u64,
	blocks: u32,
	by_pallet: BTreeMap<String, PalletFigures>,
	by_origin: BTreeMap<&'static str, (u64, u64, u64)>,
}

impl Figures {
	fn record(&mut self, origin: Origin, (pallet, call): (&str, &str), outcome: &Outcome) {
		let figures = self.by_pallet.entry(pallet.to_string()).or_default();
		let by_origin = self.by_origin.entry(origin.label()).or_default();
		match outcome {
			Outcome::Refused(why) => {
				figures.refused.add(why.clone());
				by_origin.0 += 1;
			},
			Outcome::Ok => {
				figures.ok.add(call);
				by_origin.1 += 1;
			},
			Outcome::Failed(error) => {
				figures.errors.add(error.clone());
				by_origin.2 += 1;
			},
		}
	}

	fn print(&self, settings: &Settings, seconds: f64, pallets: &[(String, Vec<String>)]) {
		println!(
			"fuzz: seed {:#x}: {} calls in {} blocks ({} chains), {:.1} s, {:.0} calls/s; {} \
			 undecodable calls generated (not sent); {} scenario steps; {} offchain worker \
			 transactions",
			settings.seed,
			self.calls,
			self.blocks,
			self.chains,
			seconds,
			self.calls as f64 / seconds,
			self.undecodable,
			self.scenario_steps,
			self.worker_transactions,
		);
		// A panic or a broken invariant ends the run before this.
		println!("fuzz: 0 panics, 0 try_state failures");
		println!("{:<16} {:>9} {:>9} {:>9}", "origin", "refused", "ok", "failed");
		for (origin, (refused, ok, failed)) in &self.by_origin {
			println!("{origin:<16} {refused:>9} {ok:>9} {failed:>9}");
		}
		println!(
			"{:<16} {:>5} {:>9} {:>9} {:>9}  top errors | top refusals",
			"pallet", "fns", "refused", "ok", "failed"
		);
		let mut never_ok = Vec::new();
		for (pallet, calls) in pallets {
			let Some(f) = self.by_pallet.get(pallet) else {
				println!("{pallet:<16} {:>5} (never called)", calls.len());
				continue;
			};
			println!(
				"{pallet:<16} {:>5} {:>9} {:>9} {:>9}  {} | {}",
				calls.len(),
				f.refused.total(),
				f.ok.total(),
				f.errors.total(),
				f.errors.top(4),
				f.refused.top(2),
			);
			never_ok.extend(
				calls.iter().filter(|c| !f.ok.0.contains_key(*c)).map(|c| format!("{pallet}.{c}")),
			);
		}
		println!("calls that never succeeded: {}", never_ok.join(", "));
	}
}

/// How a transaction ended.
#[derive(Clone, PartialEq, Eq, Debug)]
enum Outcome {
	/// Refused by the pool's check or by the block (not included).
	Refused(String),
	/// Included, and its call succeeded.
	Ok,
	/// Included, and its call failed with this error.
	Failed(String),
}

/// The fuzzer's state between blocks.
struct Fuzzer {
	settings: Settings,
	gen: Gen,
	signers: Vec<sr25519::Pair>,
	accounts: Vec<AccountId>,
	node: worker::Node,
	queue: VecDeque<Step>,
	parent: H256,
	number: u32,
	/// How far this block's events have been read (bytes after the length prefix).
	events_read: usize,
	/// The calls of the block being built, for a report.
	block_calls: Vec<String>,
	/// The calls made on this chain.
	chain_calls: u64,
	figures: Figures,
}

impl Fuzzer {
	fn new(settings: Settings, ext: &mut sp_io::TestExternalities, figures: Figures) -> Self {
		use Sr25519Keyring::*;
		let mut signers: Vec<sr25519::Pair> =
			[Alice, Bob, Charlie, Dave, Eve, Ferdie].iter().map(|k| k.pair()).collect();
		// Four accounts that start empty: they hold what transfers give them.
		signers.extend(
			(0..4).map(|i| sr25519::Pair::from_string(&format!("//Fuzz{i}"), None).unwrap()),
		);
		let accounts: Vec<AccountId> = signers.iter().map(|p| p.public().into()).collect();
		let mut pools = Pools::new(accounts.clone());
		pools.blobs.push(scenario::mlp_config());
		let node = worker::Node::install(ext, settings.seed);
		let parent = ext.execute_with(|| frame_system::Pallet::<Runtime>::block_hash(0));
		Self {
			gen: Gen::new(settings.seed, pools),
			settings,
			signers,
			accounts,
			node,
			queue: VecDeque::new(),
			parent,
			number: 0,
			events_read: 0,
			block_calls: Vec::new(),
			chain_calls: 0,
			figures,
		}
	}

	/// Builds one block of random calls, checks the invariants and runs the offchain workers.
	fn block(&mut self) {
		self.start_block();
		self.faucet();
		for xt in self.node.take_transactions() {
			self.figures.worker_transactions += 1;
			let _ = self.submit(Origin::Worker, xt.function);
		}
		let mut calls = 0;
		while calls < self.settings.calls_per_block {
			if let Some((origin, call)) = self.next_call() {
				calls += 1;
				self.chain_calls += 1;
				self.figures.calls += 1;
				let _ = self.submit(origin, call);
			}
		}
		self.end_block();
	}

	/// Starts the next block: its Aura slot, its timestamp.
	fn start_block(&mut self) {
		self.number += 1;
		self.gen.pools.block = self.number;
		self.block_calls.clear();
		let digest = Digest {
			logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, Slot::from(self.slot()).encode())],
		};
		let header = Header::new(self.number, H256::zero(), H256::zero(), self.parent, digest);
		// Hooks act on what earlier blocks' calls stored (a session's start on a stall root
		// noted), so a panic here names the replay, with no calls of its own.
		if let Err(panic) = catch_unwind(AssertUnwindSafe(|| Executive::initialize_block(&header)))
		{
			self.report(&format!("block {} panicked in on_initialize", self.number));
			resume_unwind(panic);
		}
		self.events_read = 0;
		let now = self.slot() * SLOT_DURATION;
		let timestamp = UncheckedExtrinsic::new_bare(RuntimeCall::Timestamp(
			pallet_timestamp::Call::set { now },
		));
		Executive::apply_extrinsic(timestamp).unwrap().unwrap();
	}

	/// The Aura slot of the block being built: one slot after the other.
	fn slot(&self) -> u64 {
		FIRST_SLOT + u64::from(self.number)
	}

	/// Ends the block, checks the invariants and runs the offchain workers.
	fn end_block(&mut self) {
		let header = match catch_unwind(AssertUnwindSafe(Executive::finalize_block)) {
			Ok(header) => header,
			Err(panic) => {
				self.report(&format!("block {} panicked in on_finalize", self.number));
				resume_unwind(panic)
			},
		};
		// The block's name for the next one: its header's hash without the extrinsics root,
		// which sr25519's randomized signatures make differ from run to run; the runtime draws
		// randomness from the parent hash, and the same seed must make the same run.
		let mut named = header.clone();
		named.set_extrinsics_root(H256::zero());
		self.parent = named.hash();
		self.figures.blocks += 1;
		if let Err(failure) = check_invariants() {
			self.report(&format!("try_state failed after block {}: {failure}", self.number));
			panic!("try_state failed: {failure}");
		}

		// The offchain workers, in a storage layer thrown away after.
		self.node.set_time(self.slot() * SLOT_DURATION + SLOT_DURATION / 2, self.gen.rng.hash());
		sp_io::storage::start_transaction();
		let run = catch_unwind(AssertUnwindSafe(|| Executive::offchain_worker(&header)));
		sp_io::storage::rollback_transaction();
		if let Err(panic) = run {
			self.report(&format!("an offchain worker panicked after block {}", self.number));
			resume_unwind(panic);
		}
	}

	/// Keeps the signers able to pay: the richest sends a twentieth of what it has to each
	/// signer left with less than [`FAUCET_BELOW`] (transfers and holds gather the funds in a
	/// few accounts over a run). Real transfers, not counted among the calls.
	fn faucet(&mut self) {
		let free = |account: &AccountId| frame_system::Account::<Runtime>::get(account).data.free;
		for poor in 0..self.accounts.len() {
			if free(&self.accounts[poor]) >= FAUCET_BELOW {
				continue;
			}
			let richest = (0..self.accounts.len()).max_by_key(|i| free(&self.accounts[*i])).unwrap();
			let value = free(&self.accounts[richest]) / 20;
			if value < FAUCET_BELOW {
				return;
			}
			let dest = self.accounts[poor].clone().into();
			let call = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive { dest, value });
			let xt = common::signed_by(&self.signers[richest], call, self.nonce(richest));
			let _ = self.guard(|| apply(xt));
			self.harvest_events();
		}
	}

	/// The next call to send: a scenario's next step, a new scenario's first, or a random call.
	fn next_call(&mut self) -> Option<(Origin, RuntimeCall)> {
		if let Some(step) = self.queue.pop_front() {
			self.figures.scenario_steps += 1;
			return step(&self.accounts);
		}
		if self.gen.rng.chance(SCENARIO_PERCENT) {
			self.queue.extend(scenario::plan(&mut self.gen.rng, 6));
			return None;
		}
		let bytes = self.gen.call();
		let Ok(call) = RuntimeCall::decode_all_with_depth_limit(
			polkadot_sdk::frame_support::MAX_EXTRINSIC_DEPTH,
			&mut &bytes[..],
		) else {
			self.figures.undecodable += 1;
			return None;
		};
		let origin = match self.gen.rng.below(100) {
			0..=61 => Origin::Signed(self.gen.rng.below(self.signers.len() as u64) as usize),
			62..=86 => Origin::Root,
			87..=96 => Origin::Authorized,
			_ => Origin::Bare,
		};
		Some((origin, call))
	}

	fn nonce(&self, signer: usize) -> u32 {
		frame_system::Pallet::<Runtime>::account_nonce(&self.accounts[signer])
	}

	/// Sends `call` from `origin` through the pool's check and the block, and records how it
	/// went.
	fn submit(&mut self, origin: Origin, call: RuntimeCall) -> Outcome {
		let metadata = call.get_call_metadata();
		self.block_calls.push(format!("{origin:?}: {}", scenario::describe(&call)));
		let xt = match origin {
			Origin::Signed(signer) => common::signed_by(&self.signers[signer], call, self.nonce(signer)),
			Origin::Root => {
				let sudo = RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(call) });
				common::signed_by(&self.signers[0], sudo, self.nonce(0))
			},
			Origin::Authorized | Origin::Worker => UncheckedExtrinsic::new_transaction(
				call,
				<Runtime as CreateAuthorizedTransaction<RuntimeCall>>::create_extension(),
			),
			Origin::Bare => UncheckedExtrinsic::new_bare(call),
		};
		let source =
			if origin == Origin::Worker { TransactionSource::Local } else { TransactionSource::External };
		let parent = self.parent;
		let applied = self.guard(|| {
			// The pool's check, in a storage layer thrown away after.
			sp_io::storage::start_transaction();
			let valid = Executive::validate_transaction(source, xt.clone(), parent);
			sp_io::storage::rollback_transaction();
			valid.map(|_| apply(xt))
		});
		let sudid = self.harvest_events();
		let outcome = match applied {
			Err(refused) => Outcome::Refused(format!("{refused:?}")),
			Ok(Err(refused)) => Outcome::Refused(format!("in block: {refused:?}")),
			// What `sudo.sudo` did is in its event.
			Ok(Ok(Ok(()))) if origin == Origin::Root => match sudid {
				Some(Ok(())) => Outcome::Ok,
				Some(Err(error)) => Outcome::Failed(error_name(error)),
				None => Outcome::Failed("no Sudid event".into()),
			},
			Ok(Ok(Ok(()))) => Outcome::Ok,
			Ok(Ok(Err(error))) => Outcome::Failed(error_name(error)),
		};
		self.figures.record(origin, (metadata.pallet_name, metadata.function_name), &outcome);
		if self.settings.check_each {
			if let Err(failure) = check_invariants() {
				let events = frame_system::Pallet::<Runtime>::read_events_no_consensus();
				for event in events {
					eprintln!("  event: {:?}", event.event);
				}
				self.report(&format!("try_state failed after a transaction: {failure}"));
				panic!("try_state failed: {failure}");
			}
		}
		outcome
	}

	/// Runs `f`; on a panic, prints what the run was doing and fails.
	fn guard<R>(&self, f: impl FnOnce() -> R) -> R {
		match catch_unwind(AssertUnwindSafe(f)) {
			Ok(r) => r,
			Err(panic) => {
				self.report(&format!("a call panicked in block {}", self.number));
				resume_unwind(panic)
			},
		}
	}

	/// Feeds the events deposited since the last call to the generator's pools; returns the
	/// result in the last `Sudid` event among them.
	fn harvest_events(&mut self) -> Option<Result<(), DispatchError>> {
		let key = polkadot_sdk::frame_support::storage::storage_prefix(b"System", b"Events");
		let raw = sp_io::storage::get(&key).unwrap_or_default();
		let mut input = &raw[..];
		let _ = Compact::<u32>::decode(&mut input);
		let mut rest = input.get(self.events_read..).unwrap_or_default();
		let mut sudid = None;
		while !rest.is_empty() {
			let Ok(record) = EventRecord::<RuntimeEvent, H256>::decode(&mut rest) else { break };
			if let RuntimeEvent::Sudo(pallet_sudo::Event::Sudid { sudo_result }) = &record.event {
				sudid = Some(*sudo_result);
			}
			self.gen.harvest(&record.event);
		}
		self.events_read = input.len() - rest.len();
		sudid
	}

	/// Prints what is needed to replay a failure.
	fn report(&self, what: &str) {
		eprintln!(
			"fuzz: {what}\nfuzz: replay with FUZZ_SEED={:#x} FUZZ_CALLS={} (block {}); the \
			 block's calls so far, last one last:",
			self.settings.seed,
			self.chain_calls,
			self.number,
		);
		for call in &self.block_calls {
			eprintln!("  {call}");
		}
	}
}

/// Applies `xt` as a block builder does: a transaction that the block refuses leaves no trace
/// (its storage layer is thrown away).
fn apply(xt: UncheckedExtrinsic) -> polkadot_sdk::sp_runtime::ApplyExtrinsicResult {
	sp_io::storage::start_transaction();
	let result = Executive::apply_extrinsic(xt);
	if result.is_ok() {
		sp_io::storage::commit_transaction();
	} else {
		sp_io::storage::rollback_transaction();
	}
	result
}

/// A dispatch error by name, e.g. `Inference(NotOffered)`.
fn error_name(error: DispatchError) -> String {
	match RuntimeError::from_dispatch_error(error) {
		Some(error) => format!("{error:?}"),
		None => format!("{error:?}"),
	}
}

/// Every pallet's invariants: the runtime's own check (`InvariantsApi::check`: the Swarmchain
/// pallets' `do_try_state` and the balances').
fn check_invariants() -> Result<(), String> {
	swarm_runtime::apis::check_invariants().map_err(|e| String::from_utf8_lossy(&e).into_owned())
}

/// Runs the fuzzer as `settings` say and prints its figures: chains of
/// [`Settings::chain_blocks`] blocks, each from genesis with a seed of its own (the first the
/// run's), until the run has made its calls.
fn run(settings: Settings) {
	let start = Instant::now();
	println!(
		"fuzz: seed {:#x}, {} calls, {} a block, chains of {} blocks",
		settings.seed, settings.calls, settings.calls_per_block, settings.chain_blocks
	);
	let mut figures = Figures::default();
	let mut pallets = Vec::new();
	while figures.calls < settings.calls {
		let chain = u64::from(figures.chains);
		let seed =
			if chain == 0 { settings.seed } else { gen::Rng::new(settings.seed ^ chain).next() };
		let mut ext = common::preset_ext(DEV_RUNTIME_PRESET);
		let mut fuzzer = Fuzzer::new(Settings { seed, ..settings.clone() }, &mut ext, figures);
		pallets = fuzzer.gen.pallets();
		while fuzzer.figures.calls < settings.calls && fuzzer.number < settings.chain_blocks {
			ext.execute_with(|| fuzzer.block());
			// The block's changes into the backend, so that each block's storage root is
			// computed over its own changes only.
			ext.commit_all().unwrap();
		}
		figures = fuzzer.figures;
		figures.chains += 1;
		println!(
			"fuzz: chain {} (seed {seed:#x}) done: {} calls so far, {:.0} s",
			figures.chains,
			figures.calls,
			start.elapsed().as_secs_f64()
		);
	}
	figures.print(&settings, start.elapsed().as_secs_f64(), &pallets);
}

/// The short run of `make test` (20,000 calls by default); `make fuzz` runs a long one.
#[test]
fn random_blocks_keep_every_invariant() {
	run(Settings::from_env(20_000));
}

/// Sends `calls` in one block through the fuzzer's pipeline (after the genesis block and a first
/// block of `warm_up` random calls made from `seed`), checks the invariants and returns how
/// each call went: how a failure the fuzzer found is replayed, as a test.
fn replay(seed: u64, warm_up: u32, calls: Vec<(Origin, RuntimeCall)>) -> Vec<Outcome> {
	let settings =
		Settings { calls: 0, seed, calls_per_block: warm_up, chain_blocks: 1, check_each: true };
	let mut ext = common::preset_ext(DEV_RUNTIME_PRESET);
	let mut fuzzer = Fuzzer::new(settings, &mut ext, Figures::default());
	ext.execute_with(|| {
		fuzzer.block();
		fuzzer.start_block();
		let outcomes = calls.into_iter().map(|(origin, call)| fuzzer.submit(origin, call)).collect();
		fuzzer.end_block();
		outcomes
	})
}

/// Found by the fuzzer (seed 0x5eedf022, block 1): `balances.burn` took tokens out of the total
/// issuance behind the rewards pallet's accounting (`total issuance = genesis issuance + minted −
/// burnt`), whose `try_state` failed. The runtime's call filter refuses it now, in a batch too;
/// root's `sudo_as` bypasses filters, so that the fuzzer leaves `burn` out.
#[test]
fn burn_is_refused() {
	use polkadot_sdk::pallet_utility;
	let burn = || {
		RuntimeCall::Balances(pallet_balances::Call::burn {
			value: 500 * swarm_runtime::currency::UNIT,
			keep_alive: false,
		})
	};
	let batch = RuntimeCall::Utility(pallet_utility::Call::batch_all { calls: vec![burn()] });
	let filtered = Outcome::Failed("System(CallFiltered)".into());
	assert_eq!(
		replay(0x5eed_f022, 0, vec![(Origin::Signed(1), burn()), (Origin::Signed(1), batch)]),
		vec![filtered.clone(), filtered]
	);
}

/// Found by the long run of 2026-12-04 (seed 0x6a44aa6f9bb57810; its eleventh chain, seed
/// 0x6f9036e4ab8ae72f, block 386): root dispatched `timestamp.set` as `None` (with
/// `utility.dispatch_as_fallible`, in an `if_else`), a second timestamp in the block, and
/// pallet-timestamp panics by design. Only root can (`dispatch_as` is root's, and bypasses the call
/// filter); the fuzzer leaves `timestamp.set` out. Should it stop panicking, the exclusion can go.
#[test]
#[should_panic(expected = "Timestamp must be updated only once in the block")]
fn root_setting_the_timestamp_again_panics() {
	use polkadot_sdk::{frame_system::RawOrigin, pallet_utility};
	let set = RuntimeCall::Timestamp(pallet_timestamp::Call::set { now: 2 });
	let as_none = RuntimeCall::Utility(pallet_utility::Call::dispatch_as_fallible {
		as_origin: Box::new(swarm_runtime::OriginCaller::system(RawOrigin::None)),
		call: Box::new(set),
	});
	// Alone, it is an inherent's call (`Mandatory`), which the pool refuses; in an `if_else`
	// whose fallback is an ordinary call, it is not.
	let remark = RuntimeCall::System(frame_system::Call::remark { remark: vec![] });
	let if_else = RuntimeCall::Utility(pallet_utility::Call::if_else {
		main: Box::new(as_none),
		fallback: Box::new(remark),
	});
	replay(0x6f90_36e4_ab8a_e72f, 0, vec![(Origin::Root, if_else)]);
}

/// Found by the long run of 2026-12-04 (seed 0x26c440d54e4c60cd, its fourth chain): root's
/// `grandpa.note_stalled` with a delay above 2^31 blocks, and at the next session's start
/// pallet-grandpa schedules the forced change at `now + delay * 2`, unchecked. The wasm runtime is
/// built without overflow checks, so there it wraps (the next forced change is allowed early)
/// rather than panics; only root can call it, and the fuzzer keeps delays below 2^30. Should
/// pallet-grandpa check it, this test fails and the bound can go.
#[test]
#[should_panic(expected = "attempt to multiply with overflow")]
fn root_noting_a_stall_with_an_overflowing_delay_overflows() {
	use polkadot_sdk::pallet_session;
	common::preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		frame_system::Pallet::<Runtime>::set_block_number(1);
		let stalled = swarm_runtime::Grandpa::note_stalled(
			swarm_runtime::RuntimeOrigin::root(),
			u32::MAX,
			0,
		);
		assert!(stalled.is_ok(), "root may note a stall");
		// pallet-grandpa acts on it when the next session starts.
		pallet_session::Pallet::<Runtime>::rotate_session();
	});
}

/// Found by the long run of 2026-12-05 (seed 0x8419ad4209f4b6c1, block 305): root's `sudo_as`
/// acting as the reward pot (a pallet account, which the pot's payments had named in events) moved
/// all of its funds away, and the rewards pallet's `try_state` failed: the pot no longer held its
/// existential deposit. Only root can act as an account nobody holds a key to; the fuzzer no
/// longer names pallet accounts. The chain recovers by itself: until the next block's emission
/// endows the pot again, payments fail whole (paying nobody) instead of going wrong.
#[test]
fn root_draining_the_reward_pot_lasts_a_block() {
	use polkadot_sdk::frame_support::traits::Hooks;
	common::preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		frame_system::Pallet::<Runtime>::set_block_number(1);
		let pot = swarm_runtime::Rewards::pot();
		let drain = RuntimeCall::Balances(pallet_balances::Call::transfer_all {
			dest: Sr25519Keyring::Bob.to_account_id().into(),
			keep_alive: false,
		});
		let root = swarm_runtime::RuntimeOrigin::root();
		assert!(swarm_runtime::Sudo::sudo_as(root, pot.clone().into(), Box::new(drain)).is_ok());
		assert_eq!(pallet_balances::Pallet::<Runtime>::free_balance(&pot), 0);
		let broken = swarm_runtime::apis::check_invariants().map_err(String::from_utf8);
		assert_eq!(broken, Err(Ok("rewards: the pot paid out its existential deposit".into())));
		assert_eq!(swarm_runtime::Rewards::pot_available(), 0);

		frame_system::Pallet::<Runtime>::set_block_number(2);
		swarm_runtime::Rewards::on_initialize(2);
		assert!(
			pallet_balances::Pallet::<Runtime>::free_balance(&pot) >=
				swarm_runtime::currency::EXISTENTIAL_DEPOSIT
		);
		assert_eq!(swarm_runtime::apis::check_invariants(), Ok(()));
	});
}

/// The generator reaches every pallet of the runtime, and its calls decode.
#[test]
fn every_pallet_is_called() {
	let mut gen = Gen::new(1, Pools::new(vec![Sr25519Keyring::Alice.to_account_id()]));
	let mut seen = std::collections::BTreeSet::new();
	let mut undecodable = 0;
	for _ in 0..5_000 {
		let bytes = gen.call();
		match RuntimeCall::decode_all_with_depth_limit(
			polkadot_sdk::frame_support::MAX_EXTRINSIC_DEPTH,
			&mut &bytes[..],
		) {
			Ok(call) => {
				seen.insert(call.get_call_metadata().pallet_name.to_string());
			},
			Err(_) => undecodable += 1,
		}
	}
	let pallets: std::collections::BTreeSet<String> = gen
		.pallets()
		.into_iter()
		.filter(|(_, calls)| !calls.is_empty())
		.map(|(pallet, _)| pallet)
		.collect();
	assert_eq!(seen, pallets);
	assert!(undecodable < 500, "{undecodable} of 5,000 calls do not decode");
}

//! Testing utilities: a snapshot of everything the pallet stores, and one `assert_<call>` per
//! call that runs the call and checks the whole state transition (the pattern of Astar's
//! `dapp-staking` `testing_utils.rs`; the parts every pallet shares are in
//! [`swarm_pallet_testing`]).
//!
//! Each `assert_<call>` takes a [`MemorySnapshot`], works out from it and from the call's
//! arguments the state the call must leave (the snapshot with the call's changes applied), runs
//! the call, checks the events it deposits, takes a second snapshot and compares the two in full
//! with [`assert_transition`]. A call that also writes something it should not (a collateral
//! write: another node's earnings, an unrelated balance, the mint counters) fails the
//! comparison, which names each storage entry that differs.

use crate::{mock::*, *};
use polkadot_sdk::sp_runtime::Perbill;
use std::collections::BTreeMap;
use swarm_pallet_testing::{assert_transition, diff_map, diff_value, BalancesSnapshot};

// Re-exported for the tests, which take, diff and compare snapshots (`MemorySnapshot::new`,
// `diff`, `assert_matches`).
pub(crate) use swarm_pallet_testing::PalletSnapshot;

/// Everything the pallet stores, plus the balances its calls move.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct MemorySnapshot {
	/// [`EmissionPerBlock`].
	pub emission_per_block: u64,
	/// [`AuthorShare`].
	pub author_share: Perbill,
	/// [`GenesisIssuance`].
	pub genesis_issuance: u64,
	/// [`Minted`].
	pub minted: u64,
	/// [`Burnt`].
	pub burnt: u64,
	/// [`NodeEarnings`].
	pub node_earnings: BTreeMap<NodeId, u64>,
	/// [`AccountEarnings`].
	pub account_earnings: BTreeMap<u64, u64>,
	/// Balances (the pot's included) and issuance.
	pub balances: BalancesSnapshot<Test>,
}

impl PalletSnapshot for MemorySnapshot {
	type Runtime = Test;
	type Event = Event<Test>;

	fn new() -> Self {
		Self {
			emission_per_block: EmissionPerBlock::<Test>::get(),
			author_share: AuthorShare::<Test>::get(),
			genesis_issuance: GenesisIssuance::<Test>::get(),
			minted: Minted::<Test>::get(),
			burnt: Burnt::<Test>::get(),
			node_earnings: NodeEarnings::<Test>::iter().collect(),
			account_earnings: AccountEarnings::<Test>::iter().collect(),
			balances: BalancesSnapshot::new(),
		}
	}

	fn diff(&self, actual: &Self) -> Vec<String> {
		// Destructured, so that a field added to the snapshot cannot be left out of the diff.
		let Self {
			emission_per_block,
			author_share,
			genesis_issuance,
			minted,
			burnt,
			node_earnings,
			account_earnings,
			balances,
		} = self;
		let mut diff = Vec::new();
		diff_value("EmissionPerBlock", emission_per_block, &actual.emission_per_block, &mut diff);
		diff_value("AuthorShare", author_share, &actual.author_share, &mut diff);
		diff_value("GenesisIssuance", genesis_issuance, &actual.genesis_issuance, &mut diff);
		diff_value("Minted", minted, &actual.minted, &mut diff);
		diff_value("Burnt", burnt, &actual.burnt, &mut diff);
		diff_map("NodeEarnings", node_earnings, &actual.node_earnings, &mut diff);
		diff_map("AccountEarnings", account_earnings, &actual.account_earnings, &mut diff);
		balances.diff(&actual.balances, &mut diff);
		diff
	}
}

/// Sets the emission per block to `per_block` as root, and checks that exactly this happened:
/// [`EmissionPerBlock`] is `per_block`; [`Event::EmissionChanged`].
#[track_caller]
pub(crate) fn assert_set_emission(per_block: u64) {
	let mut expected = MemorySnapshot::new();
	expected.emission_per_block = per_block;
	assert_transition(
		|| Rewards::set_emission(RuntimeOrigin::root(), per_block),
		vec![Event::EmissionChanged { per_block }],
		expected,
	);
}

/// Sets the author's share of the emission to `share` as root, and checks that exactly this
/// happened: [`AuthorShare`] is `share`; [`Event::AuthorShareChanged`].
#[track_caller]
pub(crate) fn assert_set_author_share(share: Perbill) {
	let mut expected = MemorySnapshot::new();
	expected.author_share = share;
	assert_transition(
		|| Rewards::set_author_share(RuntimeOrigin::root(), share),
		vec![Event::AuthorShareChanged { share }],
		expected,
	);
}

/// Pays `amount` for `work` between `shares` as root, and checks that exactly this happened:
/// each node's share, `amount × weight / total weight` rounded down, went from the pot to the
/// node's owner (in [`NodeOwners`]) and was added to the node's and the owner's earnings, the
/// remainder stayed in the pot, and issuance and the mint counters did not move;
/// [`Event::RewardPaid`] for each node paid, in the order of `shares`, then
/// [`Event::WorkPaid`]. Returns what was paid in total.
#[track_caller]
pub(crate) fn assert_pay_work(work: WorkId, shares: Vec<(NodeId, u32)>, amount: u64) -> u64 {
	let total: u128 = shares.iter().map(|(_, weight)| u128::from(*weight)).sum();
	let pot = Rewards::pot();
	let mut expected = MemorySnapshot::new();
	let mut events = Vec::new();
	let mut paid = 0;
	for (node, weight) in &shares {
		let part = u64::try_from(u128::from(amount) * u128::from(*weight) / total)
			.expect("a share is at most the amount");
		if part == 0 {
			continue;
		}
		let owner = TestNodes::owner_of(*node).expect("shares are for registered nodes");
		expected.balances.transfer(pot, owner, part);
		*expected.node_earnings.entry(*node).or_default() += part;
		*expected.account_earnings.entry(owner).or_default() += part;
		events.push(Event::RewardPaid { work, node: *node, owner, amount: part });
		paid += part;
	}
	events.push(Event::WorkPaid { work, amount: paid });
	assert_transition(
		|| Rewards::pay_work(RuntimeOrigin::root(), work, shares.clone(), amount),
		events,
		expected,
	);
	paid
}

//! Testing utilities: a snapshot of everything the pallet stores, and one `assert_<call>` per
//! call that runs the call and checks the whole state transition (the pattern of Astar's
//! `dapp-staking` `testing_utils.rs`; the parts every pallet shares are in
//! [`swarm_pallet_testing`]).
//!
//! Each `assert_<call>` takes a [`MemorySnapshot`], works out from it and from the call's
//! arguments the state the call must leave (the snapshot with the call's changes applied), runs
//! the call, checks the events it deposits, takes a second snapshot and compares the two in full
//! with [`assert_transition`]. A call that also writes something it should not (a collateral
//! write: another node's record, another owner's index entry, a hold) fails the comparison, which
//! names each storage entry that differs.

use crate::{mock::*, *};
use polkadot_sdk::{frame_support::traits::Get, frame_system, sp_runtime::Perbill};
use std::collections::{BTreeMap, BTreeSet};
use swarm_pallet_testing::{assert_transition, diff_map, diff_set, diff_value, BalancesSnapshot};

// Re-exported for the tests, which take, diff and compare snapshots (`MemorySnapshot::new`,
// `diff`, `assert_matches`).
pub(crate) use swarm_pallet_testing::PalletSnapshot;

/// Everything the pallet stores, plus the balances its calls move.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct MemorySnapshot {
	/// [`NextNodeId`].
	pub next_node_id: NodeId,
	/// [`NodeCount`].
	pub node_count: u32,
	/// [`Nodes`].
	pub nodes: BTreeMap<NodeId, NodeInfo<Test>>,
	/// [`NodeByKey`].
	pub node_by_key: BTreeMap<WorkerKey, NodeId>,
	/// [`NodesByOwner`], as `(owner, node)` pairs.
	pub nodes_by_owner: BTreeSet<(u64, NodeId)>,
	/// [`OwnerNodeCount`].
	pub owner_node_count: BTreeMap<u64, u32>,
	/// [`KeyNonce`].
	pub key_nonce: BTreeMap<u64, u32>,
	/// [`SweepCursor`].
	pub sweep_cursor: NodeId,
	/// [`Candidates`], in their stored order.
	pub candidates: Vec<NodeId>,
	/// Balances, bonds held (as [`HoldReason::NodeBond`]) and issuance.
	pub balances: BalancesSnapshot<Test>,
}

impl PalletSnapshot for MemorySnapshot {
	type Runtime = Test;
	type Event = Event<Test>;

	fn new() -> Self {
		Self {
			next_node_id: NextNodeId::<Test>::get(),
			node_count: NodeCount::<Test>::get(),
			nodes: Nodes::<Test>::iter().collect(),
			node_by_key: NodeByKey::<Test>::iter().collect(),
			nodes_by_owner: NodesByOwner::<Test>::iter()
				.map(|(owner, node, ())| (owner, node))
				.collect(),
			owner_node_count: OwnerNodeCount::<Test>::iter().collect(),
			key_nonce: KeyNonce::<Test>::iter().collect(),
			sweep_cursor: SweepCursor::<Test>::get(),
			candidates: Candidates::<Test>::get().into_inner(),
			balances: BalancesSnapshot::holding(HoldReason::NodeBond),
		}
	}

	fn diff(&self, actual: &Self) -> Vec<String> {
		// Destructured, so that a field added to the snapshot cannot be left out of the diff.
		let Self {
			next_node_id,
			node_count,
			nodes,
			node_by_key,
			nodes_by_owner,
			owner_node_count,
			key_nonce,
			sweep_cursor,
			candidates,
			balances,
		} = self;
		let mut diff = Vec::new();
		diff_value("NextNodeId", next_node_id, &actual.next_node_id, &mut diff);
		diff_value("NodeCount", node_count, &actual.node_count, &mut diff);
		diff_map("Nodes", nodes, &actual.nodes, &mut diff);
		diff_map("NodeByKey", node_by_key, &actual.node_by_key, &mut diff);
		diff_set("NodesByOwner", nodes_by_owner, &actual.nodes_by_owner, &mut diff);
		diff_map("OwnerNodeCount", owner_node_count, &actual.owner_node_count, &mut diff);
		diff_map("KeyNonce", key_nonce, &actual.key_nonce, &mut diff);
		diff_value("SweepCursor", sweep_cursor, &actual.sweep_cursor, &mut diff);
		diff_value("Candidates", candidates, &actual.candidates, &mut diff);
		balances.diff(&actual.balances, &mut diff);
		diff
	}
}

impl MemorySnapshot {
	/// The node `node` of the snapshot, to change; panics if there is none.
	#[track_caller]
	pub fn node_mut(&mut self, node: NodeId) -> &mut NodeInfo<Test> {
		self.nodes.get_mut(&node).unwrap_or_else(|| panic!("no node {node} in the snapshot"))
	}
}

/// Capabilities as the pallet stores `input` (which must be within the bounds).
#[track_caller]
fn stored_capabilities(input: CapabilitiesInput) -> Capabilities<Test> {
	Capabilities {
		cores: input.cores,
		memory_mib: input.memory_mib,
		accelerator: input.accelerator.map(|a| a.try_into().expect("accelerator within bounds")),
		formats: input.formats.try_into().expect("formats within bounds"),
	}
}

/// Registers a node of `owner` with `worker_key` (in the test keystore, which signs the proof),
/// and checks that exactly this happened: a new node with the next id, active, at half
/// reputation, registered and heartbeating now; its entries in the key and owner indexes; the
/// owner's and the chain's node counts and the owner's key nonce one higher; the next id one
/// higher; `bond` held from the owner; [`Event::NodeRegistered`]. Returns the node's id.
#[track_caller]
pub(crate) fn assert_register_node(
	owner: u64,
	worker_key: &WorkerKey,
	peer_id: &[u8],
	capabilities: CapabilitiesInput,
	bond: u64,
) -> NodeId {
	let pre = MemorySnapshot::new();
	let node = pre.next_node_id;
	let now = System::block_number();
	let mut expected = pre.clone();
	expected.nodes.insert(
		node,
		NodeInfo {
			owner,
			worker_key: worker_key.clone(),
			peer_id: peer_id.to_vec().try_into().expect("peer id within bounds"),
			capabilities: stored_capabilities(capabilities.clone()),
			bond,
			registered_at: now,
			last_heartbeat: now,
			status: NodeStatus::Active,
			reputation: Perbill::from_percent(50),
			work_done: WorkDone::default(),
		},
	);
	expected.node_by_key.insert(worker_key.clone(), node);
	expected.nodes_by_owner.insert((owner, node));
	expected.candidates.push(node);
	*expected.owner_node_count.entry(owner).or_default() += 1;
	*expected.key_nonce.entry(owner).or_default() += 1;
	expected.node_count += 1;
	expected.next_node_id += 1;
	expected.balances.hold(owner, bond);
	assert_transition(
		|| {
			ComputeNodes::register_node(
				RuntimeOrigin::signed(owner),
				worker_key.clone(),
				proof(owner, worker_key),
				peer_id.to_vec(),
				capabilities,
				bond,
			)
		},
		vec![Event::NodeRegistered { node, owner, worker_key: worker_key.clone(), bond }],
		expected,
	);
	node
}

/// Sends `heartbeat` with `signature` as the authorized origin, and checks that exactly this
/// happened: the node's last heartbeat is now, and an inactive node is active again;
/// [`Event::HeartbeatReceived`], then [`Event::NodeReactivated`] if the node was inactive.
#[track_caller]
pub(crate) fn assert_heartbeat(heartbeat: Heartbeat<u64>, signature: WorkerSignature) {
	let node = heartbeat.node;
	let mut expected = MemorySnapshot::new();
	let info = expected.node_mut(node);
	info.last_heartbeat = System::block_number();
	let mut events = vec![Event::HeartbeatReceived { node }];
	if info.status == NodeStatus::Inactive {
		info.status = NodeStatus::Active;
		events.push(Event::NodeReactivated { node });
	}
	assert_transition(
		|| {
			ComputeNodes::heartbeat(
				frame_system::RawOrigin::Authorized.into(),
				heartbeat,
				signature,
			)
		},
		events,
		expected,
	);
}

/// Rotates the worker key of `node` to `new_key` (in the test keystore, which signs the proof)
/// as `owner`, and checks that exactly this happened: the node has the new key, the key index
/// forgets the old key and maps the new one to the node, the owner's key nonce is one higher;
/// [`Event::WorkerKeyRotated`].
#[track_caller]
pub(crate) fn assert_rotate_worker_key(owner: u64, node: NodeId, new_key: &WorkerKey) {
	let mut expected = MemorySnapshot::new();
	let old_key = core::mem::replace(&mut expected.node_mut(node).worker_key, new_key.clone());
	expected.node_by_key.remove(&old_key);
	expected.node_by_key.insert(new_key.clone(), node);
	*expected.key_nonce.entry(owner).or_default() += 1;
	assert_transition(
		|| {
			ComputeNodes::rotate_worker_key(
				RuntimeOrigin::signed(owner),
				node,
				new_key.clone(),
				proof(owner, new_key),
			)
		},
		vec![Event::WorkerKeyRotated { node, old_key, new_key: new_key.clone() }],
		expected,
	);
}

/// Updates the peer id and/or capabilities of `node` as `owner`, and checks that exactly this
/// happened: the node has the given ones and keeps the others; [`Event::NodeUpdated`].
#[track_caller]
pub(crate) fn assert_update_node(
	owner: u64,
	node: NodeId,
	peer_id: Option<Vec<u8>>,
	capabilities: Option<CapabilitiesInput>,
) {
	let mut expected = MemorySnapshot::new();
	let info = expected.node_mut(node);
	if let Some(peer_id) = &peer_id {
		info.peer_id = peer_id.clone().try_into().expect("peer id within bounds");
	}
	if let Some(capabilities) = &capabilities {
		info.capabilities = stored_capabilities(capabilities.clone());
	}
	assert_transition(
		|| ComputeNodes::update_node(RuntimeOrigin::signed(owner), node, peer_id, capabilities),
		vec![Event::NodeUpdated { node }],
		expected,
	);
}

/// Adds `amount` to the bond of `node` as `owner`, and checks that exactly this happened: the
/// node's bond is `amount` higher and `amount` more is held from the owner;
/// [`Event::BondIncreased`] with the new bond.
#[track_caller]
pub(crate) fn assert_bond_extra(owner: u64, node: NodeId, amount: u64) {
	let mut expected = MemorySnapshot::new();
	let info = expected.node_mut(node);
	info.bond += amount;
	let bond = info.bond;
	expected.balances.hold(owner, amount);
	assert_transition(
		|| ComputeNodes::bond_extra(RuntimeOrigin::signed(owner), node, amount),
		vec![Event::BondIncreased { node, bond }],
		expected,
	);
}

/// Deregisters `node` as `owner`, and checks that exactly this happened: the node is unbonding
/// until `UnbondingPeriod` blocks from now, and keeps its bond; [`Event::NodeDeregistered`].
#[track_caller]
pub(crate) fn assert_deregister(owner: u64, node: NodeId) {
	let period: u64 = <Test as Config>::UnbondingPeriod::get();
	let until = System::block_number() + period;
	let mut expected = MemorySnapshot::new();
	expected.node_mut(node).status = NodeStatus::Unbonding { until };
	expected.candidates.retain(|candidate| *candidate != node);
	assert_transition(
		|| ComputeNodes::deregister(RuntimeOrigin::signed(owner), node),
		vec![Event::NodeDeregistered { node, unbonds_at: until }],
		expected,
	);
}

/// Withdraws the bond of the unbonding `node` as `owner`, and checks that exactly this
/// happened: the node, its key index entry and its owner index entry are gone, the owner's and
/// the chain's node counts are one lower, the whole bond is released to the owner;
/// [`Event::BondWithdrawn`].
#[track_caller]
pub(crate) fn assert_withdraw_bond(owner: u64, node: NodeId) {
	let mut expected = MemorySnapshot::new();
	let info = expected.nodes.remove(&node).expect("withdraw_bond needs a node");
	expected.node_by_key.remove(&info.worker_key);
	expected.nodes_by_owner.remove(&(owner, node));
	*expected.owner_node_count.get_mut(&owner).expect("the owner has a node count") -= 1;
	expected.node_count -= 1;
	expected.balances.release(owner, info.bond);
	assert_transition(
		|| ComputeNodes::withdraw_bond(RuntimeOrigin::signed(owner), node),
		vec![Event::BondWithdrawn { node, owner, amount: info.bond }],
		expected,
	);
}

/// Unjails `node` as `owner`, and checks that exactly this happened: the node is active, or
/// inactive if its last heartbeat is more than `HeartbeatTimeout` blocks old;
/// [`Event::NodeUnjailed`].
#[track_caller]
pub(crate) fn assert_unjail(owner: u64, node: NodeId) {
	let now = System::block_number();
	let timeout: u64 = <Test as Config>::HeartbeatTimeout::get();
	let mut expected = MemorySnapshot::new();
	let info = expected.node_mut(node);
	info.status =
		if now - info.last_heartbeat > timeout { NodeStatus::Inactive } else { NodeStatus::Active };
	assert_transition(
		|| ComputeNodes::unjail(RuntimeOrigin::signed(owner), node),
		vec![Event::NodeUnjailed { node }],
		expected,
	);
}

/// Jails `node` for `blocks` blocks as root, and checks that exactly this happened: the node is
/// jailed until `blocks` blocks from now, with [`Event::NodeJailed`]; or, if it is jailed until
/// then or later already, nothing changed and no event was deposited (a jail only extends).
#[track_caller]
pub(crate) fn assert_force_jail(node: NodeId, blocks: u32) {
	let until = System::block_number() + u64::from(blocks);
	let mut expected = MemorySnapshot::new();
	let info = expected.node_mut(node);
	let events = match info.status {
		NodeStatus::Jailed { until: current } if current >= until => vec![],
		_ => {
			info.status = NodeStatus::Jailed { until };
			vec![Event::NodeJailed { node, until }]
		},
	};
	assert_transition(
		|| ComputeNodes::force_jail(RuntimeOrigin::root(), node, blocks),
		events,
		expected,
	);
}

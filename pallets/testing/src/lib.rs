//! Test-only helpers shared by the Swarmchain pallets' tests (a dev-dependency, std only, never
//! part of the runtime).
//!
//! The pallets test their calls in the pattern of Astar's `dapp-staking` `testing_utils.rs`:
//! each pallet's `testing_utils.rs` defines a `MemorySnapshot` of everything the pallet stores
//! (every storage item, the maps read in full) plus the balances its calls move, and one
//! `assert_<call>` per call. An `assert_<call>` takes a snapshot, works out from it and from the
//! call's arguments the state the call must leave (the snapshot with the call's changes
//! applied), runs the call, checks the events it deposits, takes a second snapshot and compares
//! the two in full. A call that also writes something it should not (a collateral write) fails
//! the comparison, which names each storage entry that differs.
//!
//! What is the same for every pallet lives here:
//! - [`PalletSnapshot`], the trait a pallet's `MemorySnapshot` implements (read the state, list
//!   the differences), with [`PalletSnapshot::assert_matches`] on top;
//! - [`diff_value`], [`diff_map`] and [`diff_set`], which list the differences of one storage
//!   value, map or set of keys, naming the storage item and the key;
//! - [`BalancesSnapshot`], the balances (`pallet-balances`) a pallet's calls move: every
//!   account's balance data, what the pallet holds for one hold reason, and the issuance, with
//!   the changes a call makes to them ([`BalancesSnapshot::hold`],
//!   [`BalancesSnapshot::release`], [`BalancesSnapshot::transfer`]);
//! - [`assert_transition`], which runs a call and checks its events and the state it leaves.
//!
//! What is particular to a pallet (its snapshot's fields and the `assert_<call>` functions)
//! stays in the pallet.

use polkadot_sdk::{
	frame_support::{assert_ok, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound},
	frame_system, pallet_balances,
	sp_runtime::{
		traits::{CheckedAdd, CheckedSub, Zero},
		DispatchResult,
	},
};
use std::{
	collections::{BTreeMap, BTreeSet},
	fmt::Debug,
};

/// The outer event type of the runtime `T`.
pub type RuntimeEventOf<T> = <T as frame_system::Config>::RuntimeEvent;

/// A snapshot of everything a pallet stores (and of the balances its calls move), which can be
/// compared in full with another one.
pub trait PalletSnapshot: Sized {
	/// The (test) runtime the pallet runs in.
	type Runtime: frame_system::Config;
	/// The pallet's event type.
	type Event: Clone + PartialEq + Debug + Into<RuntimeEventOf<Self::Runtime>>;

	/// Reads the whole state of the pallet (every storage item, by iterating the maps) and of
	/// the balances it touches.
	fn new() -> Self;

	/// One line per storage entry in which `actual` differs from `self` (the expected state),
	/// naming the storage item and the key (made with [`diff_value`], [`diff_map`],
	/// [`diff_set`] and [`BalancesSnapshot::diff`]).
	fn diff(&self, actual: &Self) -> Vec<String>;

	/// Checks that `actual` is exactly this (expected) state; the panic lists every entry that
	/// differs.
	#[track_caller]
	fn assert_matches(&self, actual: &Self) {
		let diff = self.diff(actual);
		assert!(
			diff.is_empty(),
			"the state differs from the expected one in {} entries:\n  {}",
			diff.len(),
			diff.join("\n  ")
		);
	}
}

/// Adds a line to `diff` if the storage value `item` is not as expected.
pub fn diff_value<V: PartialEq + Debug>(
	item: &str,
	expected: &V,
	actual: &V,
	diff: &mut Vec<String>,
) {
	if expected != actual {
		diff.push(format!("{item}: expected {expected:?}, found {actual:?}"));
	}
}

/// Adds a line to `diff` for each key of the storage map `item` whose value is not as expected,
/// missing, or unexpected.
pub fn diff_map<K: Ord + Debug, V: PartialEq + Debug>(
	item: &str,
	expected: &BTreeMap<K, V>,
	actual: &BTreeMap<K, V>,
	diff: &mut Vec<String>,
) {
	for (key, value) in expected {
		match actual.get(key) {
			Some(found) if found == value => {},
			Some(found) => {
				diff.push(format!("{item}[{key:?}]: expected {value:?}, found {found:?}"))
			},
			None => diff.push(format!("{item}[{key:?}]: expected {value:?}, found nothing")),
		}
	}
	for (key, found) in actual {
		if !expected.contains_key(key) {
			diff.push(format!("{item}[{key:?}]: expected nothing, found {found:?}"));
		}
	}
}

/// Adds a line to `diff` for each key of the storage map `item` (of unit values) that is
/// missing or unexpected.
pub fn diff_set<K: Ord + Debug>(
	item: &str,
	expected: &BTreeSet<K>,
	actual: &BTreeSet<K>,
	diff: &mut Vec<String>,
) {
	for key in expected.difference(actual) {
		diff.push(format!("{item}[{key:?}]: expected, found nothing"));
	}
	for key in actual.difference(expected) {
		diff.push(format!("{item}[{key:?}]: expected nothing, found it"));
	}
}

/// The balances a pallet's calls move, in the runtime `T` (whose accounts' balance data
/// `frame_system` stores): every account's balance data, what is held from each account for the
/// pallet's hold reason (if it has one), and the total issuance.
#[derive(CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound)]
pub struct BalancesSnapshot<T: pallet_balances::Config> {
	/// The balance data (free, reserved, frozen) of every account (`frame_system::Account`).
	pub accounts: BTreeMap<T::AccountId, pallet_balances::AccountData<T::Balance>>,
	/// What is held from each account for the hold reason given to
	/// [`BalancesSnapshot::holding`]; an account without such a hold is absent, and so is every
	/// account in a snapshot taken with [`BalancesSnapshot::new`]. Other holds show in
	/// `accounts`' reserved balances.
	pub held: BTreeMap<T::AccountId, T::Balance>,
	/// The currency's total issuance.
	pub total_issuance: T::Balance,
}

impl<T> BalancesSnapshot<T>
where
	T: pallet_balances::Config
		+ frame_system::Config<AccountData = pallet_balances::AccountData<T::Balance>>,
{
	/// Reads the balances of every account and the issuance, for a pallet that holds nothing
	/// (`held` stays empty).
	pub fn new() -> Self {
		Self {
			accounts: Self::accounts(),
			held: BTreeMap::new(),
			total_issuance: pallet_balances::TotalIssuance::<T>::get(),
		}
	}

	/// Reads the balances of every account, what is held from each for `reason` (the pallet's
	/// hold reason) and the issuance.
	pub fn holding(reason: impl Into<T::RuntimeHoldReason>) -> Self {
		let reason: T::RuntimeHoldReason = reason.into();
		Self {
			accounts: Self::accounts(),
			held: pallet_balances::Holds::<T>::iter()
				.filter_map(|(who, holds)| {
					holds.iter().find(|hold| hold.id == reason).map(|hold| (who, hold.amount))
				})
				.collect(),
			total_issuance: pallet_balances::TotalIssuance::<T>::get(),
		}
	}

	fn accounts() -> BTreeMap<T::AccountId, pallet_balances::AccountData<T::Balance>> {
		frame_system::Account::<T>::iter().map(|(who, info)| (who, info.data)).collect()
	}

	/// Applies a hold of `amount` on `who`: it moves from free to reserved and held.
	#[track_caller]
	pub fn hold(&mut self, who: T::AccountId, amount: T::Balance) {
		let Some(account) = self.accounts.get_mut(&who) else {
			panic!("funds are held from an existing account")
		};
		account.free = sub(account.free, amount, "free balance");
		account.reserved = add(account.reserved, amount, "reserved balance");
		let held = self.held.entry(who).or_default();
		*held = add(*held, amount, "held balance");
	}

	/// Applies the release of `amount` held from `who`: it moves from reserved back to free, and
	/// a hold that reaches zero disappears.
	#[track_caller]
	pub fn release(&mut self, who: T::AccountId, amount: T::Balance) {
		let Some(account) = self.accounts.get_mut(&who) else {
			panic!("funds are released to an existing account")
		};
		account.free = add(account.free, amount, "free balance");
		account.reserved = sub(account.reserved, amount, "reserved balance");
		let Some(held) = self.held.get_mut(&who) else { panic!("only held funds are released") };
		*held = sub(*held, amount, "held balance");
		if held.is_zero() {
			self.held.remove(&who);
		}
	}

	/// Applies a transfer of `amount` from `from` to `to`, which it creates if need be.
	#[track_caller]
	pub fn transfer(&mut self, from: T::AccountId, to: T::AccountId, amount: T::Balance) {
		let Some(source) = self.accounts.get_mut(&from) else {
			panic!("a transfer comes from an existing account")
		};
		source.free = sub(source.free, amount, "free balance");
		let destination = self.accounts.entry(to).or_default();
		destination.free = add(destination.free, amount, "free balance");
	}

	/// Adds to `diff` a line per entry in which `actual` differs from `self` (the expected
	/// balances): `System::Account[who]`, `Balances::Holds[who]` (the pallet's hold) and
	/// `Balances::TotalIssuance`.
	pub fn diff(&self, actual: &Self, diff: &mut Vec<String>) {
		let Self { accounts, held, total_issuance } = self;
		diff_map("System::Account", accounts, &actual.accounts, diff);
		diff_map("Balances::Holds", held, &actual.held, diff);
		diff_value("Balances::TotalIssuance", total_issuance, &actual.total_issuance, diff);
	}
}

impl<T> Default for BalancesSnapshot<T>
where
	T: pallet_balances::Config
		+ frame_system::Config<AccountData = pallet_balances::AccountData<T::Balance>>,
{
	fn default() -> Self {
		Self::new()
	}
}

/// `a + b`, or a panic naming `what` overflowed (as the expected state cannot be worked out).
#[track_caller]
fn add<B: CheckedAdd + Debug>(a: B, b: B, what: &str) -> B {
	match a.checked_add(&b) {
		Some(sum) => sum,
		None => panic!("the expected {what} overflows: {a:?} + {b:?}"),
	}
}

/// `a - b`, or a panic naming `what` underflowed (as the expected state cannot be worked out).
#[track_caller]
fn sub<B: CheckedSub + Debug>(a: B, b: B, what: &str) -> B {
	match a.checked_sub(&b) {
		Some(difference) => difference,
		None => panic!("the expected {what} underflows: {a:?} - {b:?}"),
	}
}

/// Runs `call`, which must succeed, and checks everything it did: the pallet deposited exactly
/// `events`, in this order (the last of them also the last event of all), and the state
/// afterwards is `expected` (the state before the call with the call's changes applied) and
/// nothing else.
///
/// The pallet's events are those of the runtime's events that convert to `S::Event` (the
/// runtime's event enum converts to each pallet's event with `TryInto`).
#[track_caller]
pub fn assert_transition<S: PalletSnapshot>(
	call: impl FnOnce() -> DispatchResult,
	events: Vec<S::Event>,
	expected: S,
) where
	RuntimeEventOf<S::Runtime>: TryInto<S::Event>,
{
	let since = frame_system::Pallet::<S::Runtime>::events().len();
	assert_ok!(call());
	let all = frame_system::Pallet::<S::Runtime>::events();
	let Some(new) = all.get(since..) else {
		panic!("the call removed events deposited before it: {} left of {since}", all.len())
	};
	let deposited: Vec<S::Event> =
		new.iter().filter_map(|record| record.event.clone().try_into().ok()).collect();
	assert_eq!(deposited, events, "the pallet's events deposited by the call");
	if let Some(last) = events.last() {
		frame_system::Pallet::<S::Runtime>::assert_last_event(last.clone().into());
	}
	expected.assert_matches(&S::new());
}

#[doc(hidden)]
pub use polkadot_sdk::frame_system as __frame_system;

/// Lets a mock runtime's offchain workers submit general (authorized) transactions: implements
/// `CreateTransactionBase`, `CreateTransaction` (with no transaction extension) and
/// `CreateAuthorizedTransaction` for `$runtime`, whose calls are `$call` and whose transactions
/// are `$extrinsic` (e.g. `frame_system::mocking::MockUncheckedExtrinsic<Test>`).
#[macro_export]
macro_rules! impl_authorized_transactions {
	($runtime:ty, $call:ty, $extrinsic:ty) => {
		impl<C> $crate::__frame_system::offchain::CreateTransactionBase<C> for $runtime
		where
			$call: From<C>,
		{
			type Extrinsic = $extrinsic;
			type RuntimeCall = $call;
		}

		impl<C> $crate::__frame_system::offchain::CreateTransaction<C> for $runtime
		where
			$call: From<C>,
		{
			type Extension = ();
			fn create_transaction(call: $call, extension: ()) -> $extrinsic {
				<$extrinsic>::new_transaction(call, extension)
			}
		}

		impl<C> $crate::__frame_system::offchain::CreateAuthorizedTransaction<C> for $runtime
		where
			$call: From<C>,
		{
			fn create_extension() -> Self::Extension {}
		}
	};
}

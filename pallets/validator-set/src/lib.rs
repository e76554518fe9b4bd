//! # Validator Set Pallet
//!
//! Swarmchain's open validator set: any account bonds to stand as a validator, and every session
//! the top candidates by bond author (Aura) and finalize (GRANDPA) blocks.
//!
//! ## Pallet API
//!
//! See the [`pallet`] module for calls, storage, events and errors. The pallet is the
//! runtime's [`pallet_session::SessionManager`]: `pallet-session` asks it for the validators of
//! each new session and hands their keys to Aura and GRANDPA. [`SessionLength`] gives
//! `pallet-session` the length of a session from [`Terms`].
//!
//! ## Overview
//!
//! - **Standing.** An account first sets its session keys the standard way
//!   (`author_rotateKeysWithOwner` on its node, then `session.setKeys(keys, proof)`), then bonds
//!   at least [`ValidatorTerms::min_bond`] with [`Pallet::bond`] and becomes a candidate. The bond is a
//!   hold on its balance ([`HoldReason::ValidatorBond`]); more can be added with `bond` again.
//! - **Selection.** At the end of each session `pallet-session` asks for the set of the session
//!   after next. The set is the [`ValidatorTerms::max_validators`] candidates with the largest bonds
//!   (ties: the earlier candidate first) among those whose bond is at least the minimum and whose
//!   session keys are set. A new candidate therefore authors from the second session after it
//!   bonded; `session.validators` shows the current set.
//! - **Leaving.** [`Pallet::leave`] (or [`Pallet::unbond`] of the whole bond) withdraws the
//!   candidacy: the validator is rotated out at the next selection. A candidate whose bond falls
//!   below the minimum (root raised it) is not selected either. Unbonded funds stay held for
//!   [`ValidatorTerms::unbonding_period`] blocks, then [`Pallet::withdraw_unbonded`] releases them.
//! - **Never empty.** If no candidate is eligible, the current set stays: the chain never stops
//!   for want of validators ([`Event::NoEligibleCandidates`]).
//! - **Terms.** Root sets the minimum bond, the number of validators, the session length and
//!   the unbonding period with [`Pallet::set_terms`]; they take effect at the next session.
//!
//! ## Low Level / Implementation Details
//!
//! [`Candidates`] is one bounded list, kept sorted by bond, so a selection reads one value and
//! checks at most [`Config::MaxCandidates`] session keys; nothing iterates an open-ended set.
//! The genesis set is the genesis candidates (given with their bonds, which are held); the
//! genesis session keys come from `pallet-session`'s genesis config.
//!
//! The pallet is ours rather than a maintained one because none fits a solochain:
//! `pallet-collator-selection` is made for parachain collators (invulnerables plus reserve-based
//! candidacy, and an empty set it can return halts Aura), `pallet-staking` is deprecated and
//! `pallet-staking-async` needs a relay chain. It keeps only what the issue asks: bond, top N,
//! rotation through `pallet-session`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // test code: an overflow fails the test
mod mock;
#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // test code: an overflow fails the test
mod tests;
pub mod weights;

pub use pallet::*;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use polkadot_sdk::{
	frame_support::{self, traits::fungible::Inspect},
	frame_system, pallet_session,
	sp_staking::SessionIndex,
};

/// The logging target of this pallet.
pub const LOG_TARGET: &str = "runtime::validator-set";

/// The balance type of the currency that holds bonds.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// The terms of the validator set, as [`Terms`] stores them.
pub type TermsOf<T> =
	ValidatorTerms<BalanceOf<T>, frame_system::pallet_prelude::BlockNumberFor<T>>;

/// A candidate of [`Config`]'s runtime.
pub type CandidateOf<T> = Candidate<<T as frame_system::Config>::AccountId, BalanceOf<T>>;

/// Gives an account session keys, for the benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Makes `who` registered with [`Config::Registration`].
	fn set_keys(who: &AccountId);
}

/// The rules of the validator set, which root sets with [`Pallet::set_terms`].
#[derive(
	codec::Encode,
	codec::Decode,
	codec::DecodeWithMemTracking,
	codec::MaxEncodedLen,
	scale_info::TypeInfo,
	serde::Serialize,
	serde::Deserialize,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
#[serde(rename_all = "camelCase")]
pub struct ValidatorTerms<Balance, BlockNumber> {
	/// The smallest bond a candidate may have, and be selected with.
	pub min_bond: Balance,
	/// How many validators a session has (at most; fewer if fewer candidates are eligible).
	pub max_validators: u32,
	/// Blocks per session: how often the set may change.
	pub session_length: BlockNumber,
	/// Blocks an unbonded amount stays held before it can be withdrawn.
	pub unbonding_period: BlockNumber,
}

/// An account standing as a validator, with its bond.
#[derive(
	codec::Encode,
	codec::Decode,
	codec::MaxEncodedLen,
	scale_info::TypeInfo,
	Clone,
	PartialEq,
	Eq,
	Debug,
)]
pub struct Candidate<AccountId, Balance> {
	/// The candidate's account, which is also its validator id in `pallet-session`.
	pub who: AccountId,
	/// What it has bonded (held).
	pub bond: Balance,
}

/// Funds leaving a bond: held until `unlock_at`.
#[derive(
	codec::Encode,
	codec::Decode,
	codec::MaxEncodedLen,
	scale_info::TypeInfo,
	Clone,
	PartialEq,
	Eq,
	Debug,
)]
pub struct Unbonding<Balance, BlockNumber> {
	/// The amount still held.
	pub amount: Balance,
	/// The first block at which [`Pallet::withdraw_unbonded`] releases it.
	pub unlock_at: BlockNumber,
}

// FRAME's macros expand to `expect`s carrying their proofs (e.g. the size of an encoded error);
// the code written in this module uses none.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{InspectHold, Mutate, MutateHold},
			tokens::Precision,
			ValidatorRegistration,
		},
	};
	use frame_system::pallet_prelude::*;
	use polkadot_sdk::sp_runtime::traits::{Saturating, Zero};

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the validator-set pallet.
	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The currency that holds bonds.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ Mutate<Self::AccountId>;

		/// The runtime's hold reasons, which include this pallet's [`HoldReason`].
		type RuntimeHoldReason: From<HoldReason>;

		/// Whether an account has session keys (the runtime: `pallet-session`); only accounts with
		/// keys may stand or be selected.
		type Registration: ValidatorRegistration<Self::AccountId>;

		/// The most candidates at once (bounds [`Candidates`] and the work of a selection).
		#[pallet::constant]
		type MaxCandidates: Get<u32>;

		/// The most validators a session may have: the consensus pallets' `MaxAuthorities`.
		#[pallet::constant]
		type MaxValidators: Get<u32>;

		/// The terms until root sets others (genesis may set others too).
		#[pallet::constant]
		type DefaultTerms: Get<TermsOf<Self>>;

		/// Weights of this pallet's calls, from its benchmarks.
		type WeightInfo: WeightInfo;

		/// Gives benchmark accounts session keys.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// A reason for this pallet to hold funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A validator candidate's bond, and unbonded funds waiting out the unbonding period.
		#[codec(index = 0)]
		ValidatorBond,
	}

	#[pallet::type_value]
	pub fn DefaultTermsOf<T: Config>() -> TermsOf<T> {
		T::DefaultTerms::get()
	}

	/// The rules of the set: minimum bond, number of validators, session length, unbonding.
	#[pallet::storage]
	pub type Terms<T: Config> = StorageValue<_, TermsOf<T>, ValueQuery, DefaultTermsOf<T>>;

	/// Every candidate with its bond, largest bond first (ties: the earlier candidate first).
	#[pallet::storage]
	pub type Candidates<T: Config> =
		StorageValue<_, BoundedVec<CandidateOf<T>, T::MaxCandidates>, ValueQuery>;

	/// The set this pallet last handed to `pallet-session` (it becomes current a session later).
	#[pallet::storage]
	pub type Selected<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

	/// Funds leaving an account's bond, by account: one entry, topped up by each unbond.
	// Blake2: accounts are chosen by their owners.
	#[pallet::storage]
	pub type Unbondings<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Unbonding<BalanceOf<T>, BlockNumberFor<T>>,
		OptionQuery,
	>;

	/// The genesis candidates and terms.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Candidates and their bonds (held from their balances), in any order. Each needs
		/// session keys in `pallet-session`'s genesis config to be selected.
		pub candidates: Vec<(T::AccountId, BalanceOf<T>)>,
		/// The terms, if not [`Config::DefaultTerms`].
		pub terms: Option<TermsOf<T>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let terms = self.terms.unwrap_or_else(T::DefaultTerms::get);
			assert!(Pallet::<T>::terms_are_valid(&terms), "invalid genesis validator-set terms");
			Terms::<T>::put(terms);
			for (who, bond) in &self.candidates {
				assert!(*bond >= terms.min_bond, "a genesis candidate's bond is below the minimum");
				T::Currency::hold(&HoldReason::ValidatorBond.into(), who, *bond)
					.expect("a genesis candidate can pay its bond");
				Pallet::<T>::insert_sorted(CandidateOf::<T> { who: who.clone(), bond: *bond })
					.expect("genesis candidates are distinct and at most MaxCandidates");
			}
			let selected = Pallet::<T>::top(&terms, |_| true);
			Selected::<T>::put(BoundedVec::truncate_from(selected));
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `who` bonded `amount` more; its bond is now `bond`.
		Bonded { who: T::AccountId, amount: BalanceOf<T>, bond: BalanceOf<T> },
		/// `who` unbonded `amount` (held until `unlock_at`); its bond is now `bond`.
		Unbonded {
			who: T::AccountId,
			amount: BalanceOf<T>,
			bond: BalanceOf<T>,
			unlock_at: BlockNumberFor<T>,
		},
		/// `who` is no longer a candidate; its whole bond is unbonding until `unlock_at`.
		Left { who: T::AccountId, amount: BalanceOf<T>, unlock_at: BlockNumberFor<T> },
		/// `who` got back `amount` of unbonded funds.
		Withdrawn { who: T::AccountId, amount: BalanceOf<T> },
		/// Root set new terms, in force from the next session.
		TermsSet { terms: TermsOf<T> },
		/// The set of session `session` was chosen (it differs from the previous one).
		NewValidatorSet { session: SessionIndex, validators: Vec<T::AccountId> },
		/// No candidate was eligible for session `session`: the set stays as it is.
		NoEligibleCandidates { session: SessionIndex },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The amount is zero: bond or unbond something.
		ZeroAmount,
		/// The bond would be below the minimum of [`Terms`]: bond more, or `leave` to unbond all.
		BelowMinBond,
		/// The account has no session keys: call `session.setKeys` first.
		NoSessionKeys,
		/// The list of candidates is full: wait for someone to leave.
		TooManyCandidates,
		/// The account cannot pay the bond (or would fall below the existential deposit).
		InsufficientBalance,
		/// The account is not a candidate.
		NotCandidate,
		/// The amount is more than the bond: unbond at most the bond.
		UnbondTooLarge,
		/// The account has nothing unbonding.
		NothingUnbonding,
		/// The unbonding period has not passed yet.
		StillUnbonding,
		/// The terms are invalid: between one and `MaxValidators` validators, a minimum bond
		/// above zero, and a session of at least two blocks.
		InvalidTerms,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(
				Self::terms_are_valid(&T::DefaultTerms::get()),
				"DefaultTerms must be valid (see Error::InvalidTerms)"
			);
			assert!(T::MaxCandidates::get() >= T::MaxValidators::get());
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Stand as a validator, or add to the bond.
		///
		/// ## Dispatch Origin
		///
		/// Signed: the account that stands. It must have set its session keys
		/// (`session.setKeys`).
		///
		/// ## Details
		///
		/// Holds `amount` of the caller's balance. A new candidate must bond at least
		/// [`ValidatorTerms::min_bond`]; it is selected (if its bond ranks within the top
		/// [`ValidatorTerms::max_validators`]) at the end of the current session, for the session after
		/// next.
		///
		/// ## Errors
		///
		/// - [`Error::ZeroAmount`]: `amount` is zero.
		/// - [`Error::NoSessionKeys`]: the caller has no session keys.
		/// - [`Error::BelowMinBond`]: a new candidate's `amount` is below the minimum.
		/// - [`Error::TooManyCandidates`]: the list is full.
		/// - [`Error::InsufficientBalance`]: the caller cannot pay it.
		///
		/// ## Events
		///
		/// [`Event::Bonded`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::bond())]
		pub fn bond(origin: OriginFor<T>, #[pallet::compact] amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			ensure!(T::Registration::is_registered(&who), Error::<T>::NoSessionKeys);
			let mut candidates = Candidates::<T>::get();
			let bond = match candidates.iter().position(|c| c.who == who) {
				Some(at) => candidates.remove(at).bond.saturating_add(amount),
				None => {
					ensure!(amount >= Terms::<T>::get().min_bond, Error::<T>::BelowMinBond);
					amount
				},
			};
			Self::insert_into(&mut candidates, CandidateOf::<T> { who: who.clone(), bond })?;
			T::Currency::hold(&HoldReason::ValidatorBond.into(), &who, amount)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			Candidates::<T>::put(candidates);
			Self::deposit_event(Event::Bonded { who, amount, bond });
			Ok(())
		}

		/// Take part of the bond out; it stays held for the unbonding period.
		///
		/// ## Dispatch Origin
		///
		/// Signed: a candidate.
		///
		/// ## Details
		///
		/// What stays bonded must still be at least the minimum; unbonding the whole bond is the
		/// same as [`Pallet::leave`]. The amount joins the caller's [`Unbondings`] entry, whose
		/// unlock block becomes `now + unbonding_period`.
		///
		/// ## Errors
		///
		/// - [`Error::ZeroAmount`]: `amount` is zero.
		/// - [`Error::NotCandidate`]: the caller is not a candidate.
		/// - [`Error::UnbondTooLarge`]: `amount` is more than the bond.
		/// - [`Error::BelowMinBond`]: what would stay bonded is below the minimum.
		///
		/// ## Events
		///
		/// [`Event::Unbonded`], or [`Event::Left`] for the whole bond.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::unbond())]
		pub fn unbond(
			origin: OriginFor<T>,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let mut candidates = Candidates::<T>::get();
			let at = candidates.iter().position(|c| c.who == who).ok_or(Error::<T>::NotCandidate)?;
			let bond = candidates.get(at).map(|c| c.bond).unwrap_or_default();
			ensure!(amount <= bond, Error::<T>::UnbondTooLarge);
			if amount == bond {
				return Self::do_leave(who);
			}
			let rest = bond.saturating_sub(amount);
			ensure!(rest >= Terms::<T>::get().min_bond, Error::<T>::BelowMinBond);
			candidates.remove(at);
			Self::insert_into(&mut candidates, CandidateOf::<T> { who: who.clone(), bond: rest })?;
			Candidates::<T>::put(candidates);
			let unlock_at = Self::add_unbonding(&who, amount);
			Self::deposit_event(Event::Unbonded { who, amount, bond: rest, unlock_at });
			Ok(())
		}

		/// Stop standing as a validator; the whole bond starts unbonding.
		///
		/// ## Dispatch Origin
		///
		/// Signed: a candidate.
		///
		/// ## Details
		///
		/// The caller is rotated out at the next selection (it may still author until then:
		/// the current and the queued session keep their sets).
		///
		/// ## Errors
		///
		/// - [`Error::NotCandidate`]: the caller is not a candidate.
		///
		/// ## Events
		///
		/// [`Event::Left`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::leave())]
		pub fn leave(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_leave(who)
		}

		/// Release the caller's unbonded funds once the unbonding period has passed.
		///
		/// ## Dispatch Origin
		///
		/// Signed: an account with funds unbonding.
		///
		/// ## Errors
		///
		/// - [`Error::NothingUnbonding`]: the caller has nothing unbonding.
		/// - [`Error::StillUnbonding`]: the unlock block has not come yet.
		///
		/// ## Events
		///
		/// [`Event::Withdrawn`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::withdraw_unbonded())]
		pub fn withdraw_unbonded(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let unbonding = Unbondings::<T>::get(&who).ok_or(Error::<T>::NothingUnbonding)?;
			ensure!(
				frame_system::Pallet::<T>::block_number() >= unbonding.unlock_at,
				Error::<T>::StillUnbonding
			);
			let released = T::Currency::release(
				&HoldReason::ValidatorBond.into(),
				&who,
				unbonding.amount,
				Precision::BestEffort,
			)?;
			Unbondings::<T>::remove(&who);
			Self::deposit_event(Event::Withdrawn { who, amount: released });
			Ok(())
		}

		/// Set the terms of the validator set.
		///
		/// ## Dispatch Origin
		///
		/// Root.
		///
		/// ## Details
		///
		/// The new minimum bond and number of validators apply from the next selection (a
		/// candidate now below the minimum is rotated out then, keeping its bond until it
		/// leaves); the session length from the next block; the unbonding period to the next
		/// unbond.
		///
		/// ## Errors
		///
		/// - [`Error::InvalidTerms`]: no validators or more than `MaxValidators`, a zero minimum
		///   bond, or a session shorter than two blocks.
		///
		/// ## Events
		///
		/// [`Event::TermsSet`].
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_terms())]
		pub fn set_terms(origin: OriginFor<T>, terms: TermsOf<T>) -> DispatchResult {
			ensure_root(origin)?;
			ensure!(Self::terms_are_valid(&terms), Error::<T>::InvalidTerms);
			Terms::<T>::put(terms);
			Self::deposit_event(Event::TermsSet { terms });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Whether `terms` are acceptable (see [`Error::InvalidTerms`]).
		pub fn terms_are_valid(terms: &TermsOf<T>) -> bool {
			(1..=T::MaxValidators::get()).contains(&terms.max_validators) &&
				!terms.min_bond.is_zero() &&
				terms.session_length >= 2u32.into()
		}

		/// The top `max_validators` candidates with at least the minimum bond that `eligible`
		/// accepts, in bond order.
		pub fn top(terms: &TermsOf<T>, eligible: impl Fn(&T::AccountId) -> bool) -> Vec<T::AccountId> {
			Candidates::<T>::get()
				.into_iter()
				.filter(|c| c.bond >= terms.min_bond && eligible(&c.who))
				.take(terms.max_validators as usize)
				.map(|c| c.who)
				.collect()
		}

		/// The candidate's bond, if `who` is a candidate.
		pub fn bond_of(who: &T::AccountId) -> Option<BalanceOf<T>> {
			Candidates::<T>::get().into_iter().find(|c| &c.who == who).map(|c| c.bond)
		}

		fn do_leave(who: T::AccountId) -> DispatchResult {
			let mut candidates = Candidates::<T>::get();
			let at = candidates.iter().position(|c| c.who == who).ok_or(Error::<T>::NotCandidate)?;
			let amount = candidates.remove(at).bond;
			Candidates::<T>::put(candidates);
			let unlock_at = Self::add_unbonding(&who, amount);
			Self::deposit_event(Event::Left { who, amount, unlock_at });
			Ok(())
		}

		/// Adds `amount` (already held) to `who`'s unbonding funds; returns the unlock block.
		fn add_unbonding(who: &T::AccountId, amount: BalanceOf<T>) -> BlockNumberFor<T> {
			let unlock_at = frame_system::Pallet::<T>::block_number()
				.saturating_add(Terms::<T>::get().unbonding_period);
			Unbondings::<T>::mutate(who, |entry| {
				let held = entry.as_ref().map(|u| u.amount).unwrap_or_default();
				*entry = Some(Unbonding { amount: held.saturating_add(amount), unlock_at });
			});
			unlock_at
		}

		/// Inserts `candidate` after every candidate with at least its bond.
		fn insert_into(
			candidates: &mut BoundedVec<CandidateOf<T>, T::MaxCandidates>,
			candidate: CandidateOf<T>,
		) -> DispatchResult {
			let at = candidates.iter().take_while(|c| c.bond >= candidate.bond).count();
			candidates.try_insert(at, candidate).map_err(|_| Error::<T>::TooManyCandidates.into())
		}

		fn insert_sorted(candidate: CandidateOf<T>) -> DispatchResult {
			let mut candidates = Candidates::<T>::get();
			ensure!(
				!candidates.iter().any(|c| c.who == candidate.who),
				DispatchError::Other("duplicate candidate")
			);
			Self::insert_into(&mut candidates, candidate)?;
			Candidates::<T>::put(candidates);
			Ok(())
		}

		/// Checks the pallet's invariants: candidates sorted by bond, distinct, each bond held,
		/// and every held amount accounted for by a bond or an unbonding entry. The try-runtime
		/// hook and the runtime's fuzzer call it.
		pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			let candidates = Candidates::<T>::get();
			ensure!(
				candidates.windows(2).all(|w| match w {
					[a, b] => a.bond >= b.bond,
					_ => true,
				}),
				"candidates are not sorted by bond"
			);
			for (i, c) in candidates.iter().enumerate() {
				ensure!(
					!candidates.iter().skip(i.saturating_add(1)).any(|d| d.who == c.who),
					"a candidate is listed twice"
				);
			}
			let reason: T::RuntimeHoldReason = HoldReason::ValidatorBond.into();
			for c in candidates.iter() {
				let unbonding = Unbondings::<T>::get(&c.who).map(|u| u.amount).unwrap_or_default();
				ensure!(
					T::Currency::balance_on_hold(&reason, &c.who) == c.bond.saturating_add(unbonding),
					"a candidate's hold is not its bond plus its unbonding funds"
				);
			}
			for (who, u) in Unbondings::<T>::iter() {
				let bond = Self::bond_of(&who).unwrap_or_default();
				ensure!(
					T::Currency::balance_on_hold(&reason, &who) == u.amount.saturating_add(bond),
					"an unbonding account's hold is not its unbonding funds plus its bond"
				);
			}
			Ok(())
		}
	}
}

impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
	fn new_session(new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
		use polkadot_sdk::frame_support::traits::ValidatorRegistration;
		let terms = Terms::<T>::get();
		let set = Self::top(&terms, T::Registration::is_registered);
		if set.is_empty() {
			log::warn!(target: LOG_TARGET, "no eligible candidate for session {new_index}");
			Self::deposit_event(Event::NoEligibleCandidates { session: new_index });
			return None;
		}
		if set.as_slice() == Selected::<T>::get().as_slice() {
			return None;
		}
		// `top` takes at most `max_validators` ≤ `MaxValidators` (checked with the terms).
		Selected::<T>::put(polkadot_sdk::sp_runtime::BoundedVec::truncate_from(set.clone()));
		Self::deposit_event(Event::NewValidatorSet { session: new_index, validators: set.clone() });
		Some(set)
	}

	/// The genesis sessions use the validators of `pallet-session`'s genesis keys.
	fn new_session_genesis(_new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
		None
	}

	fn end_session(_end_index: SessionIndex) {}

	fn start_session(_start_index: SessionIndex) {}
}

/// The session length of [`Terms`], for `pallet_session::PeriodicSessions`.
pub struct SessionLength<T>(core::marker::PhantomData<T>);
impl<T: Config> polkadot_sdk::frame_support::traits::Get<frame_system::pallet_prelude::BlockNumberFor<T>>
	for SessionLength<T>
{
	fn get() -> frame_system::pallet_prelude::BlockNumberFor<T> {
		Terms::<T>::get().session_length
	}
}

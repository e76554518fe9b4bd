//! Tests of the validator-set pallet: every call's success and errors, and the selection that
//! `pallet-session` asks for at each new session.

use crate::{mock::*, pallet::*, *};
use polkadot_sdk::{
	frame_support::{
		assert_noop, assert_ok,
		traits::{
			fungible::{Inspect, InspectHold},
			Get,
		},
	},

	pallet_session::SessionManager,
	sp_runtime::DispatchError,
};

fn held(who: u64) -> u64 {
	Balances::balance_on_hold(&HoldReason::ValidatorBond.into(), &who)
}

fn candidates() -> Vec<(u64, u64)> {
	Candidates::<Test>::get().into_iter().map(|c| (c.who, c.bond)).collect()
}

fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}

fn origin(who: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

#[test]
fn genesis_candidates_are_bonded_and_selected() {
	build_and_execute(vec![(BOB, 200), (ALICE, 100)], || {
		assert_eq!(candidates(), vec![(BOB, 200), (ALICE, 100)]);
		assert_eq!(held(ALICE), 100);
		assert_eq!(held(BOB), 200);
		assert_eq!(Selected::<Test>::get().into_inner(), vec![BOB, ALICE]);
		assert_eq!(Terms::<Test>::get(), DefaultTerms::get());
	});
}

#[test]
fn bond_makes_a_candidate_in_bond_order() {
	build_and_execute(vec![(ALICE, 300), (BOB, 100)], || {
		assert_ok!(ValidatorSet::bond(origin(CHARLIE), 200));
		assert_eq!(candidates(), vec![(ALICE, 300), (CHARLIE, 200), (BOB, 100)]);
		assert_eq!(held(CHARLIE), 200);
		assert_eq!(last_event(), Event::Bonded { who: CHARLIE, amount: 200, bond: 200 }.into());
		// A tie goes after the earlier candidate.
		assert_ok!(ValidatorSet::bond(origin(DAVE), 200));
		assert_eq!(candidates(), vec![(ALICE, 300), (CHARLIE, 200), (DAVE, 200), (BOB, 100)]);
	});
}

#[test]
fn bond_again_adds_to_the_bond_and_moves_up() {
	build_and_execute(vec![(ALICE, 300), (BOB, 100)], || {
		assert_ok!(ValidatorSet::bond(origin(BOB), 250));
		assert_eq!(candidates(), vec![(BOB, 350), (ALICE, 300)]);
		assert_eq!(held(BOB), 350);
		assert_eq!(last_event(), Event::Bonded { who: BOB, amount: 250, bond: 350 }.into());
		// Below the minimum is fine for a top-up.
		assert_ok!(ValidatorSet::bond(origin(ALICE), 1));
		assert_eq!(candidates(), vec![(BOB, 350), (ALICE, 301)]);
	});
}

#[test]
fn bond_errors() {
	build_and_execute(vec![], || {
		assert_noop!(ValidatorSet::bond(RuntimeOrigin::root(), 100), DispatchError::BadOrigin);
		assert_noop!(ValidatorSet::bond(origin(ALICE), 0), Error::<Test>::ZeroAmount);
		assert_noop!(ValidatorSet::bond(origin(NOKEYS), 100), Error::<Test>::NoSessionKeys);
		assert_noop!(ValidatorSet::bond(origin(ALICE), MIN_BOND - 1), Error::<Test>::BelowMinBond);
		assert_noop!(ValidatorSet::bond(origin(POOR), MIN_BOND), Error::<Test>::InsufficientBalance);
		assert_noop!(
			ValidatorSet::bond(origin(ALICE), ENDOWMENT + 1),
			Error::<Test>::InsufficientBalance
		);
	});
}

#[test]
fn bond_refuses_a_new_candidate_when_the_list_is_full() {
	let six = (1..=6).map(|who| (who, 100 + who)).collect();
	build_and_execute(six, || {
		Registered::mutate(|list| list.push(7));
		assert_noop!(ValidatorSet::bond(origin(7), 1_000), Error::<Test>::TooManyCandidates);
		// A candidate of a full list may still add to its bond.
		assert_ok!(ValidatorSet::bond(origin(1), 1_000));
	});
}

#[test]
fn unbond_keeps_the_rest_bonded_and_holds_the_amount() {
	build_and_execute(vec![(ALICE, 300), (BOB, 200)], || {
		assert_ok!(ValidatorSet::unbond(origin(ALICE), 150));
		assert_eq!(candidates(), vec![(BOB, 200), (ALICE, 150)]);
		assert_eq!(held(ALICE), 300, "unbonded funds stay held");
		assert_eq!(
			Unbondings::<Test>::get(ALICE),
			Some(Unbonding { amount: 150, unlock_at: 1 + UNBONDING })
		);
		assert_eq!(
			last_event(),
			Event::Unbonded { who: ALICE, amount: 150, bond: 150, unlock_at: 1 + UNBONDING }.into()
		);
		// A second unbond tops up the entry and restarts its period.
		System::set_block_number(5);
		assert_ok!(ValidatorSet::unbond(origin(ALICE), 50));
		assert_eq!(
			Unbondings::<Test>::get(ALICE),
			Some(Unbonding { amount: 200, unlock_at: 5 + UNBONDING })
		);
	});
}

#[test]
fn unbond_of_the_whole_bond_leaves() {
	build_and_execute(vec![(ALICE, 300)], || {
		assert_ok!(ValidatorSet::unbond(origin(ALICE), 300));
		assert_eq!(candidates(), vec![]);
		assert_eq!(
			last_event(),
			Event::Left { who: ALICE, amount: 300, unlock_at: 1 + UNBONDING }.into()
		);
	});
}

#[test]
fn unbond_errors() {
	build_and_execute(vec![(ALICE, 300)], || {
		assert_noop!(ValidatorSet::unbond(RuntimeOrigin::root(), 1), DispatchError::BadOrigin);
		assert_noop!(ValidatorSet::unbond(origin(ALICE), 0), Error::<Test>::ZeroAmount);
		assert_noop!(ValidatorSet::unbond(origin(BOB), 1), Error::<Test>::NotCandidate);
		assert_noop!(ValidatorSet::unbond(origin(ALICE), 301), Error::<Test>::UnbondTooLarge);
		assert_noop!(ValidatorSet::unbond(origin(ALICE), 201), Error::<Test>::BelowMinBond);
	});
}

#[test]
fn leave_unbonds_everything() {
	build_and_execute(vec![(ALICE, 300), (BOB, 200)], || {
		assert_ok!(ValidatorSet::leave(origin(BOB)));
		assert_eq!(candidates(), vec![(ALICE, 300)]);
		assert_eq!(held(BOB), 200);
		assert_eq!(
			Unbondings::<Test>::get(BOB),
			Some(Unbonding { amount: 200, unlock_at: 1 + UNBONDING })
		);
		assert_eq!(last_event(), Event::Left { who: BOB, amount: 200, unlock_at: 1 + UNBONDING }.into());
	});
}

#[test]
fn leave_errors() {
	build_and_execute(vec![], || {
		assert_noop!(ValidatorSet::leave(RuntimeOrigin::root()), DispatchError::BadOrigin);
		assert_noop!(ValidatorSet::leave(origin(ALICE)), Error::<Test>::NotCandidate);
	});
}

#[test]
fn withdraw_unbonded_releases_after_the_period() {
	build_and_execute(vec![(ALICE, 300)], || {
		assert_ok!(ValidatorSet::leave(origin(ALICE)));
		System::set_block_number(1 + UNBONDING);
		assert_ok!(ValidatorSet::withdraw_unbonded(origin(ALICE)));
		assert_eq!(held(ALICE), 0);
		assert_eq!(Balances::balance(&ALICE), ENDOWMENT);
		assert_eq!(Unbondings::<Test>::get(ALICE), None);
		assert_eq!(last_event(), Event::Withdrawn { who: ALICE, amount: 300 }.into());
	});
}

#[test]
fn withdraw_unbonded_keeps_a_remaining_bond_held() {
	build_and_execute(vec![(ALICE, 300)], || {
		assert_ok!(ValidatorSet::unbond(origin(ALICE), 100));
		System::set_block_number(1 + UNBONDING);
		assert_ok!(ValidatorSet::withdraw_unbonded(origin(ALICE)));
		assert_eq!(held(ALICE), 200);
		assert_eq!(candidates(), vec![(ALICE, 200)]);
	});
}

#[test]
fn withdraw_unbonded_errors() {
	build_and_execute(vec![(ALICE, 300)], || {
		assert_noop!(ValidatorSet::withdraw_unbonded(RuntimeOrigin::root()), DispatchError::BadOrigin);
		assert_noop!(ValidatorSet::withdraw_unbonded(origin(ALICE)), Error::<Test>::NothingUnbonding);
		assert_ok!(ValidatorSet::leave(origin(ALICE)));
		System::set_block_number(UNBONDING);
		assert_noop!(ValidatorSet::withdraw_unbonded(origin(ALICE)), Error::<Test>::StillUnbonding);
	});
}

#[test]
fn set_terms_changes_the_rules() {
	build_and_execute(vec![], || {
		let terms = ValidatorTerms { min_bond: 500, max_validators: 4, session_length: 7, unbonding_period: 1 };
		assert_ok!(ValidatorSet::set_terms(RuntimeOrigin::root(), terms));
		assert_eq!(Terms::<Test>::get(), terms);
		assert_eq!(SessionLength::<Test>::get(), 7);
		assert_eq!(last_event(), Event::TermsSet { terms }.into());
	});
}

#[test]
fn set_terms_errors() {
	build_and_execute(vec![], || {
		let good = DefaultTerms::get();
		assert_noop!(ValidatorSet::set_terms(origin(ALICE), good), DispatchError::BadOrigin);
		for bad in [
			ValidatorTerms { max_validators: 0, ..good },
			ValidatorTerms { max_validators: 5, ..good },
			ValidatorTerms { min_bond: 0, ..good },
			ValidatorTerms { session_length: 1, ..good },
		] {
			assert_noop!(
				ValidatorSet::set_terms(RuntimeOrigin::root(), bad),
				Error::<Test>::InvalidTerms
			);
		}
	});
}

#[test]
fn a_session_takes_the_top_candidates_with_keys_and_the_minimum_bond() {
	build_and_execute(vec![(ALICE, 100), (BOB, 200)], || {
		assert_ok!(ValidatorSet::bond(origin(CHARLIE), 400));
		assert_ok!(ValidatorSet::bond(origin(DAVE), 300));
		assert_eq!(ValidatorSet::new_session(2), Some(vec![CHARLIE, DAVE, BOB]));
		assert_eq!(Selected::<Test>::get().into_inner(), vec![CHARLIE, DAVE, BOB]);
		assert_eq!(
			last_event(),
			Event::NewValidatorSet { session: 2, validators: vec![CHARLIE, DAVE, BOB] }.into()
		);
		// Unchanged: nothing to hand over.
		assert_eq!(ValidatorSet::new_session(3), None);
		// A candidate whose keys are gone is skipped.
		Registered::mutate(|list| list.retain(|who| *who != DAVE));
		assert_eq!(ValidatorSet::new_session(4), Some(vec![CHARLIE, BOB, ALICE]));
	});
}

#[test]
fn a_validator_that_leaves_or_falls_below_the_minimum_is_rotated_out() {
	build_and_execute(vec![(ALICE, 100), (BOB, 200), (CHARLIE, 300)], || {
		assert_ok!(ValidatorSet::leave(origin(BOB)));
		assert_eq!(ValidatorSet::new_session(2), Some(vec![CHARLIE, ALICE]));
		let terms = ValidatorTerms { min_bond: 150, ..DefaultTerms::get() };
		assert_ok!(ValidatorSet::set_terms(RuntimeOrigin::root(), terms));
		assert_eq!(ValidatorSet::new_session(3), Some(vec![CHARLIE]));
		// Topping up brings it back.
		assert_ok!(ValidatorSet::bond(origin(ALICE), 100));
		assert_eq!(ValidatorSet::new_session(4), Some(vec![CHARLIE, ALICE]));
	});
}

#[test]
fn with_no_eligible_candidate_the_set_stays() {
	build_and_execute(vec![(ALICE, 100)], || {
		assert_ok!(ValidatorSet::leave(origin(ALICE)));
		assert_eq!(ValidatorSet::new_session(2), None);
		assert_eq!(last_event(), Event::NoEligibleCandidates { session: 2 }.into());
		assert_eq!(Selected::<Test>::get().into_inner(), vec![ALICE]);
	});
}

#[test]
fn genesis_sessions_use_the_session_keys() {
	build_and_execute(vec![(ALICE, 100)], || {
		assert_eq!(ValidatorSet::new_session_genesis(0), None);
		assert_eq!(ValidatorSet::new_session_genesis(1), None);
	});
}

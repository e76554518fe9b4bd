//! Tests of every call (success and each error) and of file manifests.

use crate::{mock::*, *};
use polkadot_sdk::frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};
use swarm_primitives::ContentInspector;

fn held(who: u64) -> u64 {
	Balances::balance_on_hold(&HoldReason::FileDeposit.into(), &who)
}

// BEGIN UPLOAD

#[test]
fn begin_upload_works() {
	build_and_execute(|| {
		let (_, hash) = file(600, 1);
		assert_ok!(WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, 600));
		let upload = Uploads::<Test>::get(hash).unwrap();
		assert_eq!((upload.size, upload.chunks, upload.next_chunk), (600, 3, 0));
		assert_eq!(upload.deposit, 100 + 3 * 10);
		assert_eq!(held(ALICE), 130);
		System::assert_last_event(
			Event::UploadStarted { file: hash, size: 600, chunks: 3, uploader: ALICE }.into(),
		);
	});
}

#[test]
fn begin_upload_rejects_bad_sizes() {
	build_and_execute(|| {
		let (_, hash) = file(10, 1);
		assert_noop!(
			WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, 0),
			Error::<Test>::EmptyFile
		);
		assert_noop!(
			WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, 4 * CHUNK + 1),
			Error::<Test>::FileTooLarge
		);
		assert_noop!(
			WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, u64::MAX),
			Error::<Test>::FileTooLarge
		);
		assert_ok!(WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, 4 * CHUNK));
	});
}

#[test]
fn begin_upload_rejects_a_file_stored_or_in_progress() {
	build_and_execute(|| {
		let (bytes, hash) = file(300, 2);
		assert_ok!(WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, 300));
		assert_noop!(
			WeightsStore::begin_upload(RuntimeOrigin::signed(BOB), hash, 300),
			Error::<Test>::UploadInProgress
		);
		assert_ok!(WeightsStore::cancel_upload(RuntimeOrigin::signed(ALICE), hash));
		upload(ALICE, &bytes, hash);
		assert_noop!(
			WeightsStore::begin_upload(RuntimeOrigin::signed(BOB), hash, 300),
			Error::<Test>::AlreadyStored
		);
	});
}

#[test]
fn begin_upload_rejects_an_account_that_cannot_pay() {
	build_and_execute(|| {
		let (_, hash) = file(300, 3);
		assert_noop!(
			WeightsStore::begin_upload(RuntimeOrigin::signed(PAUPER), hash, 300),
			Error::<Test>::InsufficientDeposit
		);
	});
}

// UPLOAD CHUNK

#[test]
fn upload_chunk_stores_a_file_in_several_chunks() {
	build_and_execute(|| {
		// given a file of three chunks: 256 + 256 + 88 bytes
		let (bytes, hash) = file(600, 4);
		assert_ok!(WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, 600));
		// when the first two arrive
		for index in 0..2 {
			let chunk = &bytes[index * 256..(index + 1) * 256];
			assert_ok!(WeightsStore::upload_chunk(
				RuntimeOrigin::signed(ALICE),
				hash,
				index as u32,
				chunk_hash(chunk),
				chunk.to_vec()
			));
		}
		// then the file is not stored yet
		assert_eq!(Uploads::<Test>::get(hash).unwrap().next_chunk, 2);
		assert!(WeightsStore::stored_size(&hash).is_none());
		// when the last arrives
		let last = &bytes[512..];
		assert_ok!(WeightsStore::upload_chunk(
			RuntimeOrigin::signed(ALICE),
			hash,
			2,
			chunk_hash(last),
			last.to_vec()
		));
		// then it is
		assert!(Uploads::<Test>::get(hash).is_none());
		assert_eq!(WeightsStore::stored_size(&hash), Some(600));
		let manifest = WeightsStore::file(hash).unwrap();
		assert_eq!(manifest.info.chunks, 3);
		assert_eq!(manifest.chunks, bytes.chunks(256).map(chunk_hash).collect::<Vec<_>>());
		// The deposit stays held for the stored manifest.
		assert_eq!(held(ALICE), 130);
		System::assert_has_event(
			Event::ChunkStored { file: hash, index: 2, chunk: chunk_hash(last) }.into(),
		);
		System::assert_last_event(Event::FileStored { file: hash, size: 600 }.into());
	});
}

#[test]
fn upload_chunk_stores_a_single_chunk_file() {
	build_and_execute(|| {
		let (bytes, hash) = file(5, 5);
		upload(ALICE, &bytes, hash);
		assert_eq!(WeightsStore::stored_size(&hash), Some(5));
	});
}

#[test]
fn upload_chunk_rejects_an_unknown_upload_and_another_sender() {
	build_and_execute(|| {
		let (bytes, hash) = file(300, 6);
		let chunk = &bytes[..256];
		assert_noop!(
			WeightsStore::upload_chunk(
				RuntimeOrigin::signed(ALICE),
				hash,
				0,
				chunk_hash(chunk),
				chunk.to_vec()
			),
			Error::<Test>::UploadNotFound
		);
		assert_ok!(WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, 300));
		assert_noop!(
			WeightsStore::upload_chunk(
				RuntimeOrigin::signed(BOB),
				hash,
				0,
				chunk_hash(chunk),
				chunk.to_vec()
			),
			Error::<Test>::NotUploader
		);
	});
}

#[test]
fn upload_chunk_rejects_chunks_out_of_order() {
	build_and_execute(|| {
		let (bytes, hash) = file(600, 7);
		assert_ok!(WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, 600));
		let second = &bytes[256..512];
		assert_noop!(
			WeightsStore::upload_chunk(
				RuntimeOrigin::signed(ALICE),
				hash,
				1,
				chunk_hash(second),
				second.to_vec()
			),
			Error::<Test>::ChunkOutOfOrder
		);
	});
}

#[test]
fn upload_chunk_rejects_a_chunk_of_the_wrong_size() {
	build_and_execute(|| {
		let (bytes, hash) = file(600, 8);
		assert_ok!(WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, 600));
		let short = &bytes[..255];
		assert_noop!(
			WeightsStore::upload_chunk(
				RuntimeOrigin::signed(ALICE),
				hash,
				0,
				chunk_hash(short),
				short.to_vec()
			),
			Error::<Test>::ChunkSizeMismatch
		);
		let long = &bytes[..257];
		assert_noop!(
			WeightsStore::upload_chunk(
				RuntimeOrigin::signed(ALICE),
				hash,
				0,
				chunk_hash(long),
				long.to_vec()
			),
			Error::<Test>::ChunkSizeMismatch
		);
	});
}

#[test]
fn upload_chunk_rejects_a_chunk_that_does_not_match_its_hash_and_accepts_it_resent() {
	build_and_execute(|| {
		let (bytes, hash) = file(300, 9);
		assert_ok!(WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, 300));
		let chunk = bytes[..256].to_vec();
		let mut corrupted = chunk.clone();
		corrupted[17] ^= 1;
		assert_noop!(
			WeightsStore::upload_chunk(
				RuntimeOrigin::signed(ALICE),
				hash,
				0,
				chunk_hash(&chunk),
				corrupted
			),
			Error::<Test>::ChunkHashMismatch
		);
		// Nothing changed, so the right chunk goes through.
		assert_ok!(WeightsStore::upload_chunk(
			RuntimeOrigin::signed(ALICE),
			hash,
			0,
			chunk_hash(&chunk),
			chunk
		));
	});
}

#[test]
fn upload_chunk_rejects_chunks_that_are_not_the_announced_file() {
	build_and_execute(|| {
		let (_, hash) = file(300, 10);
		let (other, _) = file(300, 11);
		assert_ok!(WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, 300));
		let first = &other[..256];
		assert_ok!(WeightsStore::upload_chunk(
			RuntimeOrigin::signed(ALICE),
			hash,
			0,
			chunk_hash(first),
			first.to_vec()
		));
		let last = &other[256..];
		assert_noop!(
			WeightsStore::upload_chunk(
				RuntimeOrigin::signed(ALICE),
				hash,
				1,
				chunk_hash(last),
				last.to_vec()
			),
			Error::<Test>::FileHashMismatch
		);
		assert!(WeightsStore::stored_size(&hash).is_none());
	});
}

#[test]
fn upload_chunk_needs_a_transaction_to_index_into() {
	build_and_execute(|| {
		let (bytes, hash) = file(10, 12);
		assert_ok!(WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, 10));
		polkadot_sdk::frame_support::storage::unhashed::kill(
			polkadot_sdk::sp_core::storage::well_known_keys::EXTRINSIC_INDEX,
		);
		assert_noop!(
			WeightsStore::upload_chunk(
				RuntimeOrigin::signed(ALICE),
				hash,
				0,
				chunk_hash(&bytes),
				bytes.clone()
			),
			Error::<Test>::NotInTransaction
		);
	});
}

// CANCEL UPLOAD

#[test]
fn cancel_upload_forgets_chunks_and_returns_the_deposit() {
	build_and_execute(|| {
		let free = Balances::balance(&ALICE);
		let (bytes, hash) = file(600, 13);
		assert_ok!(WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, 600));
		let first = &bytes[..256];
		assert_ok!(WeightsStore::upload_chunk(
			RuntimeOrigin::signed(ALICE),
			hash,
			0,
			chunk_hash(first),
			first.to_vec()
		));
		assert_ok!(WeightsStore::cancel_upload(RuntimeOrigin::signed(ALICE), hash));
		assert!(Uploads::<Test>::get(hash).is_none());
		assert_eq!(Chunks::<Test>::iter_prefix(hash).count(), 0);
		assert_eq!(held(ALICE), 0);
		assert_eq!(Balances::balance(&ALICE), free);
		System::assert_last_event(Event::UploadCancelled { file: hash }.into());
		// The same file can be uploaded again afterwards.
		upload(BOB, &bytes, hash);
	});
}

#[test]
fn cancel_upload_rejects_bad_input() {
	build_and_execute(|| {
		let (_, hash) = file(300, 14);
		assert_noop!(
			WeightsStore::cancel_upload(RuntimeOrigin::signed(ALICE), hash),
			Error::<Test>::UploadNotFound
		);
		assert_ok!(WeightsStore::begin_upload(RuntimeOrigin::signed(ALICE), hash, 300));
		assert_noop!(
			WeightsStore::cancel_upload(RuntimeOrigin::signed(BOB), hash),
			Error::<Test>::NotUploader
		);
	});
}

#[test]
fn chunk_arithmetic() {
	build_and_execute(|| {
		assert_eq!(WeightsStore::chunk_count(1), Some(1));
		assert_eq!(WeightsStore::chunk_count(256), Some(1));
		assert_eq!(WeightsStore::chunk_count(257), Some(2));
		assert_eq!(WeightsStore::chunk_count(1024), Some(4));
		assert_eq!(WeightsStore::chunk_count(1025), None);
		assert_eq!(WeightsStore::chunk_len(600, 0), 256);
		assert_eq!(WeightsStore::chunk_len(600, 2), 88);
		assert_eq!(WeightsStore::chunk_len(600, 3), 0);
	});
}

//! Testing utilities: a snapshot of everything the pallet stores, and one `assert_<call>` per
//! call that runs the call and checks the whole state transition (the pattern of Astar's
//! `dapp-staking` `testing_utils.rs`; the parts every pallet shares are in
//! [`swarm_pallet_testing`]).
//!
//! Each `assert_<call>` takes a [`MemorySnapshot`], works out from it and from the call's
//! arguments the state the call must leave (the snapshot with the call's changes applied), runs
//! the call, checks the events it deposits, takes a second snapshot and compares the two in full
//! with [`assert_transition`]. A call that also writes something it should not (a collateral
//! write: another upload, another file's chunk hashes, a deposit) fails the comparison, which
//! names each storage entry that differs.

use crate::{mock::*, *};
use polkadot_sdk::frame_support::traits::Get;
use std::collections::BTreeMap;
use swarm_pallet_testing::{assert_transition, diff_map, BalancesSnapshot};

// Re-exported for the tests, which take, diff and compare snapshots (`MemorySnapshot::new`,
// `diff`, `assert_matches`).
pub(crate) use swarm_pallet_testing::PalletSnapshot;

/// Everything the pallet stores, plus the balances its calls move.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct MemorySnapshot {
	/// [`Uploads`].
	pub uploads: BTreeMap<H256, UploadInfo<Test>>,
	/// [`Files`].
	pub files: BTreeMap<H256, FileInfo<Test>>,
	/// [`Chunks`], by `(file, index)`.
	pub chunks: BTreeMap<(H256, u32), H256>,
	/// Balances, deposits held (as [`HoldReason::FileDeposit`]) and issuance.
	pub balances: BalancesSnapshot<Test>,
}

impl PalletSnapshot for MemorySnapshot {
	type Runtime = Test;
	type Event = Event<Test>;

	fn new() -> Self {
		Self {
			uploads: Uploads::<Test>::iter().collect(),
			files: Files::<Test>::iter().collect(),
			chunks: Chunks::<Test>::iter()
				.map(|(file, index, chunk)| ((file, index), chunk))
				.collect(),
			balances: BalancesSnapshot::holding(HoldReason::FileDeposit),
		}
	}

	fn diff(&self, actual: &Self) -> Vec<String> {
		// Destructured, so that a field added to the snapshot cannot be left out of the diff.
		let Self { uploads, files, chunks, balances } = self;
		let mut diff = Vec::new();
		diff_map("Uploads", uploads, &actual.uploads, &mut diff);
		diff_map("Files", files, &actual.files, &mut diff);
		diff_map("Chunks", chunks, &actual.chunks, &mut diff);
		balances.diff(&actual.balances, &mut diff);
		diff
	}
}

impl MemorySnapshot {
	/// The upload of `file` in the snapshot, to change; panics if there is none.
	#[track_caller]
	pub fn upload_mut(&mut self, file: H256) -> &mut UploadInfo<Test> {
		self.uploads
			.get_mut(&file)
			.unwrap_or_else(|| panic!("no upload of {file:?} in the snapshot"))
	}
}

/// Begins the upload of a file of `size` bytes hashing to `file` as `who`, and checks that
/// exactly this happened: an upload by `who` of `ceil(size / ChunkSize)` chunks of the current
/// `ChunkSize`, none received, a fresh hash state, begun and last progressing now; a deposit of
/// `DepositBase` plus `DepositPerChunk` per chunk held from `who`; [`Event::UploadStarted`].
#[track_caller]
pub(crate) fn assert_begin_upload(who: u64, file: H256, size: u64) {
	let chunk_size: u32 = <Test as Config>::ChunkSize::get();
	let chunks = u32::try_from(size.div_ceil(u64::from(chunk_size))).expect("few chunks");
	let base: u64 = <Test as Config>::DepositBase::get();
	let per_chunk: u64 = <Test as Config>::DepositPerChunk::get();
	let deposit = base + per_chunk * u64::from(chunks);
	let now = System::block_number();
	let mut expected = MemorySnapshot::new();
	expected.uploads.insert(
		file,
		UploadInfo {
			uploader: who,
			size,
			chunks,
			next_chunk: 0,
			hasher: blake2b::Blake2b256::new(),
			chunk_size,
			started_at: now,
			last_progress: now,
			deposit,
		},
	);
	expected.balances.hold(who, deposit);
	assert_transition(
		|| WeightsStore::begin_upload(RuntimeOrigin::signed(who), file, size),
		vec![Event::UploadStarted { file, size, chunks, uploader: who }],
		expected,
	);
}

/// Sends `data` as chunk `index` of `file` as `who`, the transaction's own call, and checks
/// that exactly this happened: the chunk's hash is recorded under the file and index; then
/// either the upload expects the next chunk, has hashed this one and last progressed now
/// ([`Event::ChunkStored`]), or, with the last chunk, the upload is gone and the file stored
/// now with the upload's size, layout, uploader and deposit, which stays held
/// ([`Event::ChunkStored`], then [`Event::FileStored`]).
#[track_caller]
pub(crate) fn assert_upload_chunk(who: u64, file: H256, index: u32, data: &[u8]) {
	let chunk = chunk_hash(data);
	let now = System::block_number();
	let mut expected = MemorySnapshot::new();
	expected.chunks.insert((file, index), chunk);
	let upload = expected.upload_mut(file);
	let mut events = vec![Event::ChunkStored { file, index, chunk }];
	if index + 1 == upload.chunks {
		let upload = expected.uploads.remove(&file).expect("the upload exists");
		expected.files.insert(
			file,
			FileInfo {
				size: upload.size,
				chunk_size: upload.chunk_size,
				chunks: upload.chunks,
				uploader: upload.uploader,
				stored_at: now,
				deposit: upload.deposit,
			},
		);
		events.push(Event::FileStored { file, size: upload.size });
	} else {
		upload.hasher.update(data);
		upload.next_chunk += 1;
		upload.last_progress = now;
	}
	assert_transition(
		|| upload_chunk(RuntimeOrigin::signed(who), file, index, chunk, data.to_vec()),
		events,
		expected,
	);
}

/// Applies to `expected` the removal of the upload of `file` (by cancellation or reaping): the
/// upload and the chunk hashes it received are gone, and its deposit is released to the
/// uploader. Returns the uploader.
fn expect_upload_removed(expected: &mut MemorySnapshot, file: H256) -> u64 {
	let upload = expected.uploads.remove(&file).expect("the upload exists");
	expected.chunks.retain(|(chunk_file, _), _| *chunk_file != file);
	expected.balances.release(upload.uploader, upload.deposit);
	upload.uploader
}

/// Cancels the upload of `file` as its uploader `who`, and checks that exactly this happened:
/// the upload and the chunk hashes it received are gone, and its deposit is released;
/// [`Event::UploadCancelled`].
#[track_caller]
pub(crate) fn assert_cancel_upload(who: u64, file: H256) {
	let mut expected = MemorySnapshot::new();
	expect_upload_removed(&mut expected, file);
	assert_transition(
		|| {
			WeightsStore::cancel_upload(RuntimeOrigin::signed(who), file)
				.map(|_| ())
				.map_err(|e| e.error)
		},
		vec![Event::UploadCancelled { file }],
		expected,
	);
}

/// Reaps the expired upload of `file` as `reaper`, and checks that exactly this happened: the
/// upload and the chunk hashes it received are gone, and its deposit is released to the
/// uploader (not the reaper); [`Event::UploadExpired`].
#[track_caller]
pub(crate) fn assert_reap_upload(reaper: u64, file: H256) {
	let mut expected = MemorySnapshot::new();
	let uploader = expect_upload_removed(&mut expected, file);
	assert_transition(
		|| {
			WeightsStore::reap_upload(RuntimeOrigin::signed(reaper), file)
				.map(|_| ())
				.map_err(|e| e.error)
		},
		vec![Event::UploadExpired { file, uploader, reaper }],
		expected,
	);
}

//! BLAKE2b-256 with a state that can be stored between blocks.
//!
//! A weights file arrives in chunks, one transaction each. To check that the chunks make up the
//! file whose blake2-256 hash was announced, the pallet hashes them as they come and keeps the
//! hash state in storage in between: [`Blake2b256`] is that state. It computes exactly
//! `sp_io::hashing::blake2_256` (BLAKE2b, 32-byte digest, no key) of all bytes fed to it, as the
//! tests check.
//!
//! The implementation follows RFC 7693. It uses only integer arithmetic.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// The BLAKE2b block size in bytes.
pub const BLOCK_LEN: usize = 128;

const IV: [u64; 8] = [
	0x6a09e667f3bcc908,
	0xbb67ae8584caa73b,
	0x3c6ef372fe94f82b,
	0xa54ff53a5f1d36f1,
	0x510e527fade682d1,
	0x9b05688c2b3e6c1f,
	0x1f83d9abfb41bd6b,
	0x5be0cd19137e2179,
];

const SIGMA: [[usize; 16]; 12] = [
	[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
	[14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
	[11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
	[7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
	[9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
	[2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
	[12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
	[13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
	[6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
	[10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
	[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
	[14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
];

/// The running state of a BLAKE2b-256 hash.
///
/// Decoding checks that at most [`BLOCK_LEN`] bytes are buffered: every state it accepts is one
/// that [`Blake2b256::update`] can continue without going out of bounds.
#[derive(Encode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Blake2b256 {
	/// The chained state.
	h: [u64; 8],
	/// How many bytes have been compressed so far.
	compressed: u64,
	/// Bytes not compressed yet: the last block is held back until `finalize`, which must
	/// compress it with the final flag.
	buffer: [u8; BLOCK_LEN],
	/// How many bytes of `buffer` are in use.
	buffered: u8,
}

impl Decode for Blake2b256 {
	fn decode<I: codec::Input>(input: &mut I) -> Result<Self, codec::Error> {
		let h = <[u64; 8]>::decode(input)?;
		let compressed = u64::decode(input)?;
		let buffer = <[u8; BLOCK_LEN]>::decode(input)?;
		let buffered = u8::decode(input)?;
		if usize::from(buffered) > BLOCK_LEN {
			return Err("Blake2b256: more bytes buffered than a block holds".into());
		}
		Ok(Self { h, compressed, buffer, buffered })
	}
}

impl DecodeWithMemTracking for Blake2b256 {}

impl Default for Blake2b256 {
	fn default() -> Self {
		Self::new()
	}
}

impl Blake2b256 {
	/// The state before any input.
	pub fn new() -> Self {
		let mut h = IV;
		// Parameter block: digest length 32, no key, fanout 1, depth 1.
		h[0] ^= 0x0101_0000 ^ 32;
		Self { h, compressed: 0, buffer: [0; BLOCK_LEN], buffered: 0 }
	}

	/// Feeds `data`.
	pub fn update(&mut self, mut data: &[u8]) {
		while !data.is_empty() {
			if usize::from(self.buffered) == BLOCK_LEN {
				self.compressed = self.compressed.wrapping_add(BLOCK_LEN as u64);
				let block = self.buffer;
				self.compress(&block, false);
				self.buffered = 0;
			}
			// `buffered ≤ BLOCK_LEN` always (decoding refuses more); the `min` keeps the
			// slice below in bounds even if it were not: `start + take ≤ BLOCK_LEN`.
			let start = usize::from(self.buffered).min(BLOCK_LEN);
			let take = BLOCK_LEN.saturating_sub(start).min(data.len());
			let (head, rest) = data.split_at(take);
			let end = start.saturating_add(take);
			if let Some(room) = self.buffer.get_mut(start..end) {
				room.copy_from_slice(head);
			}
			self.buffered = end as u8;
			data = rest;
		}
	}

	/// The hash of everything fed so far.
	pub fn finalize(mut self) -> [u8; 32] {
		// In bounds: `buffered ≤ BLOCK_LEN` (see `update`).
		let used = usize::from(self.buffered).min(BLOCK_LEN);
		self.compressed = self.compressed.wrapping_add(used as u64);
		let mut block = self.buffer;
		if let Some(tail) = block.get_mut(used..) {
			tail.fill(0);
		}
		self.compress(&block, true);
		let mut out = [0u8; 32];
		for (chunk, word) in out.chunks_exact_mut(8).zip(self.h.iter()) {
			chunk.copy_from_slice(&word.to_le_bytes());
		}
		out
	}

	// Indices into the fixed-size arrays `v` (16), `m` (16), `h` (8) and `SIGMA`'s rows (16
	// entries, each below 16) are constants or loop counters below those lengths: in bounds.
	#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
	fn compress(&mut self, block: &[u8; BLOCK_LEN], last: bool) {
		let mut m = [0u64; 16];
		for (word, bytes) in m.iter_mut().zip(block.chunks_exact(8)) {
			let mut le = [0u8; 8];
			le.copy_from_slice(bytes);
			*word = u64::from_le_bytes(le);
		}
		let mut v = [0u64; 16];
		v[..8].copy_from_slice(&self.h);
		v[8..].copy_from_slice(&IV);
		v[12] ^= self.compressed;
		// The high 64 bits of the byte counter stay zero: files are far below 2^64 bytes.
		if last {
			v[14] = !v[14];
		}
		for s in SIGMA.iter() {
			mix(&mut v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
			mix(&mut v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
			mix(&mut v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
			mix(&mut v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
			mix(&mut v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
			mix(&mut v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
			mix(&mut v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
			mix(&mut v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
		}
		for i in 0..8 {
			self.h[i] ^= v[i] ^ v[i + 8];
		}
	}
}

/// BLAKE2b's G function. Callers pass indices below 16 (constants in `compress`).
#[inline(always)]
#[allow(clippy::indexing_slicing)]
fn mix(v: &mut [u64; 16], a: usize, b: usize, c: usize, d: usize, x: u64, y: u64) {
	v[a] = v[a].wrapping_add(v[b]).wrapping_add(x);
	v[d] = (v[d] ^ v[a]).rotate_right(32);
	v[c] = v[c].wrapping_add(v[d]);
	v[b] = (v[b] ^ v[c]).rotate_right(24);
	v[a] = v[a].wrapping_add(v[b]).wrapping_add(y);
	v[d] = (v[d] ^ v[a]).rotate_right(16);
	v[c] = v[c].wrapping_add(v[d]);
	v[b] = (v[b] ^ v[c]).rotate_right(63);
}

#[cfg(test)]
mod tests {
	use super::*;
	use polkadot_sdk::sp_io::hashing::blake2_256;

	fn bytes(len: usize, seed: u8) -> Vec<u8> {
		(0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect()
	}

	#[test]
	fn decoding_refuses_a_state_that_buffers_more_than_a_block() {
		let mut state = Blake2b256::new();
		state.update(&[7; 100]);
		let mut bytes = state.encode();
		// The last byte is `buffered`.
		let last = bytes.len() - 1;
		assert_eq!(bytes[last], 100);
		assert_eq!(Blake2b256::decode(&mut &bytes[..]).unwrap(), state);
		bytes[last] = 129;
		assert!(Blake2b256::decode(&mut &bytes[..]).is_err());
		bytes[last] = 128;
		assert!(Blake2b256::decode(&mut &bytes[..]).is_ok());
	}

	#[test]
	fn matches_blake2_256_for_every_length_around_block_boundaries() {
		for len in 0..=600 {
			let data = bytes(len, 7);
			let mut state = Blake2b256::new();
			state.update(&data);
			assert_eq!(state.finalize(), blake2_256(&data), "length {len}");
		}
	}

	#[test]
	fn matches_blake2_256_when_fed_in_pieces_and_stored_in_between() {
		let data = bytes(10_000, 3);
		for piece in [1, 7, 128, 129, 1_000, 4_096] {
			let mut state = Blake2b256::new();
			for chunk in data.chunks(piece) {
				// Round-trip through SCALE, as between two transactions.
				state = Blake2b256::decode(&mut &state.encode()[..]).unwrap();
				state.update(chunk);
			}
			assert_eq!(state.finalize(), blake2_256(&data), "pieces of {piece}");
		}
	}

	#[test]
	fn matches_the_rfc_7693_abc_vector_for_blake2b_256() {
		let mut state = Blake2b256::new();
		state.update(b"abc");
		assert_eq!(
			state.finalize(),
			hex_literal(b"bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319")
		);
	}

	fn hex_literal(hex: &[u8; 64]) -> [u8; 32] {
		let digit = |c: u8| (c as char).to_digit(16).unwrap() as u8;
		let mut out = [0u8; 32];
		for (i, pair) in hex.chunks(2).enumerate() {
			out[i] = digit(pair[0]) << 4 | digit(pair[1]);
		}
		out
	}
}

//! Hashing: blake2b with a 256-bit output, the same function as Substrate's `blake2_256`.
//!
//! Weights, model configs, training specs and inference outputs are identified on chain by the
//! blake2-256 hash of their canonical bytes.
//!
//! ```rust
//! use swarm_ml::hash::{blake2_256, to_hex};
//! assert_eq!(
//!     to_hex(&blake2_256(b"")),
//!     "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"
//! );
//! ```

use blake2::{digest::consts::U32, Blake2b, Digest};

/// A 32-byte blake2-256 digest.
pub type Hash = [u8; 32];

/// blake2b-256 of `data` (unkeyed), identical to `sp_core::hashing::blake2_256`.
pub fn blake2_256(data: &[u8]) -> Hash {
	let mut hasher = Blake2b::<U32>::new();
	hasher.update(data);
	hasher.finalize().into()
}

/// Lower-case hexadecimal without a `0x` prefix.
pub fn to_hex(bytes: &[u8]) -> String {
	const DIGITS: &[u8; 16] = b"0123456789abcdef";
	let mut out = String::with_capacity(bytes.len() * 2);
	for b in bytes {
		out.push(DIGITS[(b >> 4) as usize] as char);
		out.push(DIGITS[(b & 0xf) as usize] as char);
	}
	out
}

/// Parses hexadecimal (an optional `0x` prefix, either case) into bytes.
pub fn from_hex(text: &str) -> Option<Vec<u8>> {
	let text = text.strip_prefix("0x").unwrap_or(text);
	if !text.len().is_multiple_of(2) {
		return None;
	}
	let nibble = |c: u8| match c {
		b'0'..=b'9' => Some(c - b'0'),
		b'a'..=b'f' => Some(c - b'a' + 10),
		b'A'..=b'F' => Some(c - b'A' + 10),
		_ => None,
	};
	text.as_bytes()
		.chunks_exact(2)
		.map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
		.collect()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn hex_round_trips() {
		let bytes = [0u8, 1, 0xab, 0xff];
		assert_eq!(to_hex(&bytes), "0001abff");
		assert_eq!(from_hex("0x0001ABff"), Some(bytes.to_vec()));
		assert_eq!(from_hex("abc"), None);
		assert_eq!(from_hex("zz"), None);
	}
}

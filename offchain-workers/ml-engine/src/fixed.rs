//! Integer and fixed-point encodings of results, for the chain (which does no float maths).
//!
//! * Ratios (accuracy) as **parts per billion** in a `u32`, which is what Substrate's
//!   `Perbill::from_parts` takes: `⌊part · 10⁹ / whole⌋`, exact integer arithmetic.
//! * Losses as **micro-units** in a `u64`: `round(loss · 10⁶)`.
//! * Logits as **Q15.16** `i32`s: `round(z · 2¹⁶)` (half away from zero), saturating at
//!   `i32::MIN`/`i32::MAX`; the scale is [`LOGIT_SCALE`]. Multiplying by a power of two is exact,
//!   so the encoding adds only the final rounding.
//!
//! ```rust
//! use swarm_ml::fixed::{logit_to_fixed, parts_per_billion, to_micro, LOGIT_SCALE};
//! assert_eq!(parts_per_billion(857, 1000), 857_000_000);
//! assert_eq!(logit_to_fixed(1.5), (1.5 * LOGIT_SCALE) as i32);
//! assert_eq!(logit_to_fixed(-1e30), i32::MIN);
//! assert_eq!(to_micro(0.25), 250_000);
//! ```

/// Fractional bits of the logit encoding.
pub const LOGIT_FRAC_BITS: u32 = 16;

/// `2^LOGIT_FRAC_BITS`: a logit `z` is encoded as `round(z · LOGIT_SCALE)`.
pub const LOGIT_SCALE: f32 = (1u32 << LOGIT_FRAC_BITS) as f32;

/// `⌊part · 10⁹ / whole⌋`, capped at 10⁹; 0 when `whole` is 0.
pub fn parts_per_billion(part: u64, whole: u64) -> u32 {
	if whole == 0 {
		return 0;
	}
	let ppb = (part.min(whole) as u128 * 1_000_000_000) / whole as u128;
	ppb as u32
}

/// A logit as Q15.16 (see the [module docs](self)); NaN encodes as 0.
pub fn logit_to_fixed(z: f32) -> i32 {
	if z.is_nan() {
		return 0;
	}
	// `as` saturates at the i32 range.
	libm::roundf(z * LOGIT_SCALE) as i32
}

/// A Q15.16 logit back as `f32` (exact while `|q| ≤ 2²⁴`, i.e. logits below 256 in magnitude).
pub fn fixed_to_logit(q: i32) -> f32 {
	q as f32 / LOGIT_SCALE
}

/// `round(x · 10⁶)` as `u64`; negative values and NaN give 0, huge values saturate.
pub fn to_micro(x: f64) -> u64 {
	if x.is_nan() || x <= 0.0 {
		return 0;
	}
	libm::round(x * 1e6) as u64
}

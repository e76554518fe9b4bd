//! Fixed-order `f32` kernels: the arithmetic of deterministic mode.
//!
//! # Why these exist
//!
//! candle's CPU matmul (the `gemm` crate) picks micro-kernels and blocking by CPU features
//! (SSE/AVX2/FMA/AVX-512) and cache size, candle's reductions use SIMD code chosen per target,
//! and `f32::exp` is the platform's `expf`. Each of these changes the rounding of results from
//! one machine to the next. The kernels here fix the order of every floating-point operation:
//!
//! * **Dot products** (matmul, convolution, every gradient) use 8 interleaved partial sums. For
//!   `a·b` of length `k`, lane `l ∈ 0..8` accumulates `a[i]·b[i]` for `i ≡ l (mod 8)` in increasing
//!   `i`, starting from `+0.0`; the result is `((s₀+s₁)+(s₂+s₃))+((s₄+s₅)+(s₆+s₇))`. Each product
//!   is rounded before it is added: Rust never contracts `a*b + c` into an FMA and never
//!   reassociates, and `f32::mul_add` is not used. Because the eight lanes are written out, the
//!   compiler can keep them in one AVX register or two SSE/NEON registers without changing a single
//!   rounding, so the AVX2 build of a kernel ([`Isa::Avx2`], chosen at run time) and the portable
//!   build ([`Isa::Portable`]) produce the same bits.
//! * **Other reductions** (bias gradients, softmax sums, `col2im`) run sequentially in index order.
//! * **Transcendentals** (`exp`, `log`) come from the pure-Rust `libm` crate. `sqrt` (in AdamW) is
//!   correctly rounded by IEEE 754 on every platform.
//! * **Threads** (rayon) only split the *outputs*: each output value is computed by one fixed-order
//!   loop, so results do not depend on the number of threads, and forward results of one sample do
//!   not depend on the other samples in the batch.
//!
//! ```rust
//! use swarm_ml::kernels::gemm_nt;
//! // c = a · bᵀ with a: 2×3, b: 2×3.
//! let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
//! let b = [1.0, 0.0, 0.0, 0.0, 1.0, 1.0];
//! let mut c = [0.0; 4];
//! gemm_nt(&a, &b, None, 2, 2, 3, &mut c);
//! assert_eq!(c, [1.0, 5.0, 4.0, 11.0]);
//! ```

mod conv;
mod gemm;
mod isa;
mod pool;
mod softmax;

pub use conv::{col2im, col2im_t, im2col, im2col_t, ConvShape};
pub use gemm::{gemm_nt, sum_rows, transpose, LANES};
pub use isa::{active_isa, force_portable, Isa};
pub use pool::{max_pool2x2, max_pool2x2_backward};
pub use softmax::{softmax_cross_entropy, softmax_cross_entropy_backward};

/// Smallest amount of work (multiply-adds) worth handing to another thread.
const PAR_GRAIN: usize = 1 << 16;

/// ReLU, `max(x, 0)`, element-wise.
pub fn relu(x: &[f32]) -> Vec<f32> {
	x.iter().map(|&v| if v > 0.0 { v } else { 0.0 }).collect()
}

/// ReLU's gradient: `grad` where `x > 0`, else 0.
pub fn relu_backward(x: &[f32], grad: &[f32]) -> Vec<f32> {
	x.iter().zip(grad).map(|(&v, &g)| if v > 0.0 { g } else { 0.0 }).collect()
}

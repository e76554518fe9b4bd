//! Run-time choice between the AVX2 and the portable build of the kernels.
//!
//! Both builds perform the same IEEE operations in the same order (see the [module
//! docs](super)), so the choice only changes speed. [`force_portable`] exists so tests can
//! compare the two builds on one machine; the environment variable `SWARM_ML_ISA=portable` does
//! the same for a whole process.

use std::sync::{
	atomic::{AtomicBool, Ordering},
	OnceLock,
};

/// Which build of the kernels runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
	/// Compiled for the target's baseline (SSE2 on x86-64, NEON on aarch64).
	Portable,
	/// Compiled with AVX2 enabled (x86-64 only, when the CPU has it); no FMA.
	Avx2,
}

static FORCE_PORTABLE: AtomicBool = AtomicBool::new(false);

fn detected() -> Isa {
	static DETECTED: OnceLock<Isa> = OnceLock::new();
	*DETECTED.get_or_init(|| {
		if std::env::var("SWARM_ML_ISA").map(|v| v == "portable").unwrap_or(false) {
			return Isa::Portable;
		}
		#[cfg(target_arch = "x86_64")]
		if std::arch::is_x86_feature_detected!("avx2") {
			return Isa::Avx2;
		}
		Isa::Portable
	})
}

/// The build the kernels use now.
pub fn active_isa() -> Isa {
	if FORCE_PORTABLE.load(Ordering::Relaxed) {
		Isa::Portable
	} else {
		detected()
	}
}

/// Forces (or stops forcing) the portable build for the whole process.
pub fn force_portable(on: bool) {
	FORCE_PORTABLE.store(on, Ordering::Relaxed);
}

//! Builds the runtime with its `upgrade-test` feature to wasm (unless `SKIP_WASM_BUILD` is set),
//! reusing the dependencies the runtime's own wasm build compiled.

fn main() {
	#[cfg(feature = "std")]
	{
		share_wasm_target_dir();
		polkadot_sdk::substrate_wasm_builder::WasmBuilder::build_using_defaults();
	}
}

/// Points this crate's wasm target folder at the runtime's.
///
/// The wasm builder compiles each wasm project in a folder of its own,
/// `<target>/<profile>/wbuild/<crate>/target`. In this crate's, it would compile the runtime's
/// whole dependency tree a second time; with the folder a link to the runtime's
/// (`wbuild/swarm-runtime/target`), it compiles only `swarm-runtime` with the feature (a unit of
/// its own there, next to the normal one) and this crate. Both builds use the same flags, so
/// neither invalidates the other's units, and Cargo's lock on the folder takes them in turn when
/// they run at once. Where the link cannot be made, the build goes on in a folder of its own.
#[cfg(feature = "std")]
fn share_wasm_target_dir() {
	use std::{env, fs, path::PathBuf};

	if env::var_os("SKIP_WASM_BUILD").is_some() {
		return;
	}
	let (Some(out_dir), Ok(name)) = (env::var_os("OUT_DIR"), env::var("CARGO_PKG_NAME")) else {
		return;
	};
	// `<target>/<profile>/build/<crate>-<hash>/out` -> `<target>/<profile>/wbuild`, as the wasm
	// builder finds it.
	let out_dir = PathBuf::from(out_dir);
	let Some(wbuild) = out_dir
		.ancestors()
		.find(|dir| dir.ends_with("build"))
		.and_then(|build| build.parent())
		.map(|profile| profile.join("wbuild"))
	else {
		return;
	};
	let link = wbuild.join(&name).join("target");
	let shared = PathBuf::from("../swarm-runtime/target");

	let made = (|| -> std::io::Result<()> {
		fs::create_dir_all(wbuild.join("swarm-runtime").join("target"))?;
		fs::create_dir_all(wbuild.join(&name))?;
		match fs::read_link(&link) {
			Ok(target) if target == shared => return Ok(()),
			Ok(_) => fs::remove_file(&link)?,
			// A folder of its own, from a build before the link.
			Err(_) if link.exists() => fs::remove_dir_all(&link)?,
			Err(_) => {},
		}
		#[cfg(unix)]
		std::os::unix::fs::symlink(&shared, &link)?;
		Ok(())
	})();
	if let Err(error) = made {
		println!(
			"cargo:warning=the upgrade-test wasm builds in a target folder of its own ({error})"
		);
	}
}

// Runs the zombienet tests (`npm test`, part of `make test`), both networks at once:
//   0001-local-testnet.zndsl  Alice and Bob on the `local` chain
//   0002-node-loss.zndsl      four validators (each a compute node with a data shard) on a spec
//                             made from four-validators.json; one is killed and restarted
// Each test's output is printed when it ends; the exit status is non-zero if either failed.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
const work = mkdtempSync(path.join(os.tmpdir(), 'swarm-zombienet-'));
const specPrefix = path.join(work, 'four-validators');

// The four validators' spec, made the way an operator makes one (chain-spec/README.md).
const made = spawnSync(process.execPath, [path.join(here, '..', 'chain-spec', 'make-testnet.mjs'),
  path.join(here, 'four-validators.json'), specPrefix], { encoding: 'utf8' });
if (made.status !== 0) {
  console.error(made.stdout, made.stderr);
  process.exit(1);
}

// A Fashion-MNIST shard for each of the four validators (2,000 images, non-IID).
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(os.homedir(), '.cache', 'swarmchain', 'target');
const shards = path.join(work, 'shards');
const split = spawnSync(process.env.SWARM_ML ?? path.join(targetDir, 'release', 'swarm-ml'),
  ['split', '--nodes', '4', '--partition', 'dirichlet:0.5', '--seed', '11', '--limit', '2000',
    '--validation', '100', '--out', shards], { encoding: 'utf8' });
if (split.status !== 0) {
  console.error(split.error ?? '', split.stdout, split.stderr);
  process.exit(1);
}

function zombienet (test) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(path.join(here, 'node_modules', '.bin', 'zombienet'), ['-p', 'native', 'test', test], {
      cwd: here, env: { ...process.env, SWARM_FOUR_SPEC: `${specPrefix}.plain.json`, SWARM_SHARDS: shards }
    });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('exit', (code) => {
      const seconds = Math.round((Date.now() - started) / 1000);
      console.log(`\n===== ${test}: ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${seconds} s =====\n${output}`);
      resolve(code === 0);
    });
  });
}

const results = await Promise.all(['0001-local-testnet.zndsl', '0002-node-loss.zndsl'].map(zombienet));
rmSync(work, { recursive: true, force: true });
process.exit(results.every(Boolean) ? 0 : 1);

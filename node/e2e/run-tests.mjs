// Runs the end-to-end test files, seven at a time (E2E_CONCURRENCY overrides it), the longest
// first (`node --test` would start them in alphabetical order, which left the longest files for
// the end of the run). `node run-tests.mjs [FILE...]` runs only the files given.
//
// Seven at a time on two cores: the files mostly wait for blocks and for their networks' windows
// (the machine's CPUs stayed 40-97 % idle with five at a time), so more of them at once shortens
// the run without starving any (BENCHMARKS.md, "Build and CI").
//
// The order is by the wall time of each file in a CI run; a file not named here runs after these,
// in alphabetical order.

import { readdirSync } from 'node:fs';
import path from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { devChainSpec } from './lib/node.mjs';

const LONGEST_FIRST = [
  'inference.test.mjs',
  'explorer.test.mjs',
  'kill-mid-work.test.mjs',
  'training.test.mjs',
  'explorer-example.test.mjs',
  'model-registry.test.mjs',
  'training-disputes.test.mjs',
  'validator-set.test.mjs',
  'training-example.test.mjs',
  'disputes.test.mjs',
  'runtime-upgrade.test.mjs',
  'compute-nodes.test.mjs',
  'inference-example.test.mjs',
  'dev-chain.test.mjs'
];

const dir = path.join(path.dirname(new URL(import.meta.url).pathname), 'tests');
const given = process.argv.slice(2).map((f) => path.resolve(f));
const all = readdirSync(dir).filter((f) => f.endsWith('.test.mjs')).sort();
const rank = (f) => (LONGEST_FIRST.includes(f) ? LONGEST_FIRST.indexOf(f) : LONGEST_FIRST.length);
const files = given.length
  ? given
  : [...all].sort((a, b) => rank(a) - rank(b)).map((f) => path.join(dir, f));

const concurrency = Number(process.env.E2E_CONCURRENCY ?? 7);

// The dev chain's raw spec, which most files start their nodes on, is made here once: the files
// starting at once would otherwise each make it (5 s of CPU apiece) before one had written it.
devChainSpec();

run({ files, concurrency })
  .on('test:fail', () => { process.exitCode = 1; })
  .compose(spec)
  .pipe(process.stdout);

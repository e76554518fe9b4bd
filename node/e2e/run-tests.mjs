// Runs the end-to-end test files, three at a time, the longest first (`node --test` would start
// them in alphabetical order, which left the two longest, the training files, for the end of the
// run). `node run-tests.mjs [FILE...]` runs only the files given.
//
// The order is by the wall time of each file in a CI run (BENCHMARKS.md, "Build and CI"); a file
// not named here runs after these, in alphabetical order.

import { readdirSync } from 'node:fs';
import path from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

const LONGEST_FIRST = [
  'training.test.mjs',
  'training-disputes.test.mjs',
  'kill-mid-work.test.mjs',
  'explorer.test.mjs',
  'inference.test.mjs',
  'disputes.test.mjs',
  'model-registry.test.mjs',
  'compute-nodes.test.mjs',
  'validator-set.test.mjs',
  'runtime-upgrade.test.mjs',
  'training-example.test.mjs',
  'inference-example.test.mjs'
];

const dir = path.join(path.dirname(new URL(import.meta.url).pathname), 'tests');
const given = process.argv.slice(2).map((f) => path.resolve(f));
const all = readdirSync(dir).filter((f) => f.endsWith('.test.mjs')).sort();
const rank = (f) => (LONGEST_FIRST.includes(f) ? LONGEST_FIRST.indexOf(f) : LONGEST_FIRST.length);
const files = given.length
  ? given
  : [...all].sort((a, b) => rank(a) - rank(b)).map((f) => path.join(dir, f));

run({ files, concurrency: 3 })
  .on('test:fail', () => { process.exitCode = 1; })
  .compose(spec)
  .pipe(process.stdout);

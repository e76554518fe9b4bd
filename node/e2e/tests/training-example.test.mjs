// The README's training example (examples/training.mjs), run as a new user runs it: it starts its
// own network of four worker nodes, runs a round and stops them.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const example = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'training.mjs');

test('the README\'s training example publishes a better version and pays four nodes', { timeout: 600_000 }, () => {
  const run = spawnSync(process.execPath, [example], { encoding: 'utf8', timeout: 500_000 });
  const output = `${run.stdout}\n${run.stderr}`;
  assert.equal(run.status, 0, output);
  assert.match(output, /round \d+ published: version \d+/);
  const [, accuracy, base] = output.match(/validation accuracy ([\d.]+) % \(base ([\d.]+) %\)/);
  assert.ok(Number(accuracy) > Number(base), output);
  assert.equal(output.split('\n').filter((l) => /^ {2}node \d+: \d+ samples, accepted$/.test(l)).length, 4, output);
  assert.match(output, /federated_round of version \d+/);
  assert.equal(output.split('\n').filter((l) => /^node \d+ was paid [1-9]/.test(l)).length, 4, output);
});

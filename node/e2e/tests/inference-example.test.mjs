// The README's inference example (examples/inference.mjs), run as a new user runs it: against a
// fresh dev chain (`swarm-node --dev`, what `make dev` starts), with k = 1.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { startNode, tempDir } from '../lib/node.mjs';

const example = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'inference.mjs');

describe('the README\'s inference example', { timeout: 600_000 }, () => {
  const base = tempDir();
  let node;

  before(async () => {
    node = await startNode(['--dev', '--base-path', base.dir], { name: 'example' });
  });

  after(async () => {
    await node?.stop();
    base.cleanup();
  });

  test('settles a job on the dev chain and prints the labels, the agreeing node and the payments', () => {
    const run = spawnSync(process.execPath, [example], {
      encoding: 'utf8',
      timeout: 400_000,
      env: { ...process.env, SWARM_WS: node.wsUrl }
    });
    const output = `${run.stdout}\n${run.stderr}`;
    assert.equal(run.status, 0, output);
    assert.match(output, /job \d+ paid; output hash 0x[0-9a-f]{64}/);
    assert.match(output, /nodes that agreed: \d+/);
    assert.match(output, /image {2}true label {4}predicted/);
    assert.equal(output.split('\n').filter((l) => /^ {4}\d {2}/.test(l)).length, 8, 'eight labelled images');
    assert.match(output, /node \d+ has earned/);
  });
});

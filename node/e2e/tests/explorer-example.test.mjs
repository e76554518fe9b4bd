// The README's explorer example (examples/explorer.mjs, `make example`), run as a new user runs
// it beside `make dev`: a fresh dev chain, the node's explorer, and the model it publishes.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { connect } from '../lib/api.mjs';
import { startNode, tempDir } from '../lib/node.mjs';
import { swarmRpc } from '../lib/rpc.mjs';

const example = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'explorer.mjs');

describe('the README\'s explorer example', { timeout: 600_000 }, () => {
  const base = tempDir();
  let node, api;

  before(async () => {
    node = await startNode(['--dev', '--base-path', base.dir], { name: 'explorer-example' });
    api = await connect(node.wsUrl, { rpc: swarmRpc });
  });

  after(async () => {
    await api?.disconnect();
    await node?.stop();
    base.cleanup();
  });

  // Run without blocking the event loop: the test's own connection to the node stays alive.
  const run = () => new Promise((resolve, reject) => {
    execFile(process.execPath, [example], {
      encoding: 'utf8',
      timeout: 400_000,
      env: { ...process.env, SWARM_WS: node.wsUrl, SWARM_EXPLORER: node.explorerUrl }
    }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stdout}\n${stderr}`)) : resolve(`${stdout}\n${stderr}`)));
  });

  test('the node serves the explorer and tells it where its RPC is', async () => {
    const page = await fetch(node.explorerUrl);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /text\/html/);
    assert.match(await page.text(), /app\.js/);
    assert.deepEqual(await (await fetch(`${node.explorerUrl}config.json`)).json(), { rpc: node.wsUrl });
    assert.equal((await fetch(`${node.explorerUrl}nothing-here`)).status, 404);
    assert.equal((await fetch(node.explorerUrl, { method: 'POST', body: 'x' })).status, 405);
    const head = await fetch(`${node.explorerUrl}app.js`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.ok(Number(head.headers.get('content-length')) > 1_000, 'HEAD gives the length of the script');
    assert.equal(await head.text(), '');
    // Headers larger than the server reads are refused, and the server goes on serving.
    const huge = await fetch(node.explorerUrl, { headers: { 'x-padding': 'x'.repeat(16 * 1024) } });
    assert.equal(huge.status, 431);
    assert.equal((await fetch(`${node.explorerUrl}style.css`)).status, 200);
  });

  test('publishes three generations with a merge, settles a job, and says where to look', async () => {
    const output = await run();
    const opened = output.match(/open (http:\/\/\S+)#\/version\/(\d+) .*#\/network/);
    assert.ok(opened, output);
    assert.equal(opened[1], node.explorerUrl);
    const merged = (await api.rpc.models.version('fashion-mlp@production')).toJSON();
    assert.equal(merged.id, Number(opened[2]));
    assert.deepEqual(merged.parents.map((p) => p.derivation), ['merge', 'merge']);
    assert.deepEqual(merged.metrics.map((m) => m.name), ['accuracy', 'loss']);
    assert.ok(Number(merged.metrics[0].value) > 0.5, `the merge is a classifier: ${merged.metrics[0].value}`);
    const ancestors = (await api.rpc.models.ancestors(String(merged.id))).toJSON().nodes;
    assert.deepEqual([...new Set(ancestors.map((n) => n.depth))].sort(), [0, 1, 2], 'three generations');
    const jobs = (await api.rpc.jobs.recent()).toJSON().jobs;
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0].version, merged.id);
    assert.equal(jobs[0].phase.name, 'paid');
    assert.equal((await api.rpc.nodes.list()).toJSON().nodes.length, 1, 'the dev node is a compute node');

    // Run again on the same chain: it publishes nothing and prints the same page.
    assert.match(await run(), new RegExp(`#/version/${merged.id} `));
    assert.equal((await api.rpc.models.model('fashion-mlp')).toJSON().versionCount, 4);
  });
});

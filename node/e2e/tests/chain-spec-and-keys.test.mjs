// Chain specs on disk and keys in the keystore, as an operator prepares a network.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { NODE_BIN, nodeKeyArgs, runNodeCommand, startNode, tempDir, waitFor, blockHeights } from '../lib/node.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const makeTestnet = path.join(repoRoot, 'chain-spec', 'make-testnet.mjs');

/** Runs chain-spec/make-testnet.mjs with a description object. */
function runMakeTestnet (dir, description) {
  const descriptionPath = path.join(dir, 'description.json');
  writeFileSync(descriptionPath, JSON.stringify(description));
  return spawnSync(process.execPath, [makeTestnet, descriptionPath, path.join(dir, 'testnet')], {
    encoding: 'utf8', env: { ...process.env, SWARM_NODE: NODE_BIN }
  });
}

describe('chain specs', { timeout: 300_000 }, () => {
  const work = tempDir();
  after(() => work.cleanup());

  test('export-chain-spec --chain local --raw writes a raw spec with two validators', () => {
    const { status, stdout, stderr } = runNodeCommand(['export-chain-spec', '--chain', 'local', '--raw']);
    assert.equal(status, 0, stderr);
    const spec = JSON.parse(stdout);
    assert.equal(spec.id, 'swarm_local');
    assert.equal(spec.chainType, 'Local');
    assert.ok(Object.keys(spec.genesis.raw.top).length > 10, 'raw genesis storage is present');
    assert.equal(spec.properties.tokenSymbol, 'SWARM');
  });

  test('export-chain-spec without --raw shows the genesis preset as readable JSON', () => {
    const { status, stdout, stderr } = runNodeCommand(['export-chain-spec', '--chain', 'dev']);
    assert.equal(status, 0, stderr);
    const spec = JSON.parse(stdout);
    const patch = spec.genesis.runtimeGenesis.patch;
    assert.equal(patch.session.keys.length, 1, 'Alice validates, with session keys');
    assert.equal(patch.validatorSet.candidates.length, 1, 'Alice is a bonded candidate');
    assert.equal(patch.balances.balances.length, 6);
  });

  test('the node starts from a spec file and authors blocks', async () => {
    const specPath = path.join(work.dir, 'dev-raw.json');
    const { status, stdout, stderr } = runNodeCommand(['export-chain-spec', '--chain', 'dev', '--raw']);
    assert.equal(status, 0, stderr);
    writeFileSync(specPath, stdout);
    const node = await startNode(['--chain', specPath, '--alice', '--force-authoring', '--tmp', ...nodeKeyArgs()], { name: 'from-file' });
    try {
      await waitFor(async () => (await blockHeights(node.rpcPort)).finalized >= 1,
        { timeoutMs: 60_000, what: 'a finalized block' });
    } finally {
      await node.stop();
    }
  });
});

describe('making a testnet spec (chain-spec/make-testnet.mjs)', { timeout: 300_000 }, () => {
  const charlie = {
    aura: '5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y',
    grandpa: '5DbKjhNLpqX3zqZdNBc9BGb4fHU1cRBaDhJUskrvkwfraDi6'
  };
  const description = {
    name: 'E2E Testnet',
    id: 'swarm_e2e',
    validators: [{ name: 'charlie', ...charlie }],
    endowed: [{ account: charlie.aura, balance: '123456789012345678901' }],
    sudo: charlie.aura
  };

  test('writes plain and raw specs that a validator starts from', async () => {
    const work = tempDir();
    try {
      const result = runMakeTestnet(work.dir, description);
      assert.equal(result.status, 0, result.stderr);
      const plain = JSON.parse(readFileSync(path.join(work.dir, 'testnet.plain.json'), 'utf8'));
      assert.equal(plain.id, 'swarm_e2e');
      const patch = plain.genesis.runtimeGenesis.patch;
      assert.deepEqual(patch.session.keys, [[charlie.aura, charlie.aura, { aura: charlie.aura, grandpa: charlie.grandpa }]]);
      assert.equal(patch.validatorSet.candidates[0][0], charlie.aura);
      // The u128 balance is kept exactly (it does not fit a JavaScript number).
      assert.match(readFileSync(path.join(work.dir, 'testnet.plain.json'), 'utf8'), /123456789012345678901/);
      const rawPath = path.join(work.dir, 'testnet.raw.json');
      assert.ok(JSON.parse(readFileSync(rawPath, 'utf8')).genesis.raw.top);

      const node = await startNode(['--chain', rawPath, '--charlie', '--tmp', ...nodeKeyArgs()], { name: 'charlie' });
      try {
        await waitFor(async () => (await blockHeights(node.rpcPort)).finalized >= 1,
          { timeoutMs: 60_000, what: 'charlie to finalize a block' });
      } finally {
        await node.stop();
      }
    } finally {
      work.cleanup();
    }
  });

  test('rejects a validator that cannot pay its bond', () => {
    const work = tempDir();
    try {
      const result = runMakeTestnet(work.dir, { ...description, endowed: [] });
      assert.notEqual(result.status, 0);
      assert.match(result.stderr, /must be endowed with more than its bond/);
    } finally {
      work.cleanup();
    }
  });

  test('rejects a description with a malformed validator key', () => {
    const work = tempDir();
    try {
      const result = runMakeTestnet(work.dir, {
        ...description,
        validators: [{ name: 'typo', aura: '5NotAnAddress', grandpa: charlie.grandpa }]
      });
      assert.notEqual(result.status, 0);
      assert.match(result.stderr, /Error: /);
      assert.doesNotMatch(result.stderr, /panicked/);
    } finally {
      work.cleanup();
    }
  });
});

describe('key insert', () => {
  const cases = [
    { keyType: 'aura', scheme: 'sr25519' },
    { keyType: 'gran', scheme: 'ed25519' },
    { keyType: 'swrk', scheme: 'sr25519' }
  ];
  for (const { keyType, scheme } of cases) {
    test(`stores a ${keyType} (${scheme}) key in the node's keystore`, () => {
      const base = tempDir();
      try {
        const { status, stderr } = runNodeCommand([
          'key', 'insert', '--base-path', base.dir, '--chain', 'dev',
          '--key-type', keyType, '--scheme', scheme, '--suri', '//Alice//worker'
        ]);
        assert.equal(status, 0, stderr);
        const keystore = path.join(base.dir, 'chains', 'swarm_dev', 'keystore');
        const prefix = Buffer.from(keyType).toString('hex');
        const files = readdirSync(keystore).filter((f) => f.startsWith(prefix));
        assert.equal(files.length, 1, `one ${keyType} key file in ${keystore}`);
        assert.equal(JSON.parse(readFileSync(path.join(keystore, files[0]), 'utf8')), '//Alice//worker');
      } finally {
        base.cleanup();
      }
    });
  }
});

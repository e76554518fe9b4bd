// Unsafe JSON-RPC methods (those that read or use the node's keys: the worker key's registration
// proofs, `author_*` key management) are refused by a node that serves RPC to others, started
// with `--rpc-methods safe` or with `--rpc-external` (whose default is `safe`), as Substrate does
// for its own unsafe methods; safe queries still answer. A node serving only this machine (the
// default) answers both.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { u8aToHex } from '@polkadot/util';
import { rpcCall, startNode } from '../lib/node.mjs';

const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';

/** Methods that use the node's keys, with valid parameters. */
const UNSAFE = [
  ['worker_keys', []],
  ['worker_registrationProof', [ALICE]],
  ['author_rotateKeys', []],
  ['author_rotateKeysWithOwner', [u8aToHex(new Uint8Array(32).fill(1))]],
  ['author_insertKey', ['swrk', '//RpcSafety', u8aToHex(new Uint8Array(32).fill(7))]],
  ['author_hasSessionKeys', ['0x']],
  ['author_hasKey', [u8aToHex(new Uint8Array(32).fill(7)), 'swrk']]
];

/** Queries anyone may make. */
const SAFE = [
  ['system_chain', []],
  ['chain_getHeader', []],
  ['rpc_methods', []],
  ['jobs_disputeTerms', []],
  ['rounds_disputeTerms', []],
  ['rounds_open', []]
];

/** Calls `method`; resolves with `{ ok }` or `{ error }` (the JSON-RPC error's text). */
async function outcome (port, method, params) {
  try {
    return { ok: await rpcCall(port, method, params) };
  } catch (error) {
    return { error: error.message };
  }
}

describe('unsafe RPC methods', { timeout: 240_000 }, () => {
  const nodes = [];
  after(async () => {
    for (const node of nodes) await node.stop();
  });

  for (const [name, flags] of [['--rpc-methods safe', ['--rpc-methods', 'safe']], ['--rpc-external', ['--rpc-external']]]) {
    test(`are refused by a node started with ${name}; safe ones answer`, async () => {
      const node = await startNode(['--dev', '--tmp', ...flags], { name: name.replace(/\W+/g, '-').replace(/^-+/, '') });
      nodes.push(node);
      for (const [method, params] of UNSAFE) {
        const { ok, error } = await outcome(node.rpcPort, method, params);
        assert.equal(ok, undefined, `${method} answered: ${JSON.stringify(ok)}`);
        assert.match(error, /unsafe/i, `${method} is refused as unsafe: ${error}`);
      }
      for (const [method, params] of SAFE) {
        const { error } = await outcome(node.rpcPort, method, params);
        assert.equal(error, undefined, `${method} answers`);
      }
    });
  }

  test('answer a node that serves only this machine (the default)', async () => {
    const node = await startNode(['--dev', '--tmp'], { name: 'local-rpc' });
    nodes.push(node);
    const { ok: keys, error } = await outcome(node.rpcPort, 'author_rotateKeys', []);
    assert.equal(error, undefined);
    assert.match(keys, /^0x[0-9a-f]+$/);
    const { error: proofError } = await outcome(node.rpcPort, 'worker_registrationProof', [ALICE]);
    // A dev node has no worker key unless one is inserted: the method runs and says so.
    assert.ok(proofError === undefined || !/unsafe/i.test(proofError), proofError);
  });
});

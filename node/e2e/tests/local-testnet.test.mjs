// `swarm-node --chain local`: Alice and Bob on one machine, each with its own base path.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { nodeKeyArgs, startNode, rpcCall, tempDir, waitFor, blockHeights } from '../lib/node.mjs';
import { connect } from '../lib/api.mjs';

describe('a two-validator local testnet', { timeout: 300_000 }, () => {
  const aliceDir = tempDir();
  const bobDir = tempDir();
  let alice;
  let bob;
  let api;

  before(async () => {
    alice = await startNode(['--chain', 'local', '--alice', '--base-path', aliceDir.dir, ...nodeKeyArgs()], { name: 'alice' });
    const peerId = await rpcCall(alice.rpcPort, 'system_localPeerId');
    bob = await startNode([
      '--chain', 'local', '--bob', '--base-path', bobDir.dir, ...nodeKeyArgs(),
      '--bootnodes', `/ip4/127.0.0.1/tcp/${alice.p2pPort}/p2p/${peerId}`
    ], { name: 'bob' });
    api = await connect(alice.wsUrl);
  });

  after(async () => {
    await api?.disconnect();
    await bob?.stop();
    await alice?.stop();
    aliceDir.cleanup();
    bobDir.cleanup();
  });

  test('the validators find each other', async () => {
    await waitFor(async () => (await rpcCall(bob.rpcPort, 'system_health')).peers >= 1,
      { timeoutMs: 60_000, what: 'bob to connect to alice' });
  });

  test('both validators author blocks and both finalize them', async () => {
    // GRANDPA needs both votes (2 of 2) to finalize, so finality on both nodes shows both vote.
    await waitFor(async () => {
      const [a, b] = await Promise.all([blockHeights(alice.rpcPort), blockHeights(bob.rpcPort)]);
      return a.finalized >= 4 && b.finalized >= 4;
    }, { timeoutMs: 120_000, what: 'block 4 finalized on both nodes' });

    // Aura gives slot `s` to authority `s mod 2`: [Alice, Bob].
    const authorities = (await api.query.aura.authorities()).map((a) => a.toString());
    assert.equal(authorities.length, 2);
    const authors = new Set();
    const finalizedHead = await api.rpc.chain.getFinalizedHead();
    let header = await api.rpc.chain.getHeader(finalizedHead);
    while (header.number.toNumber() > 0) {
      const preRuntime = header.digest.logs.find((log) => log.isPreRuntime).asPreRuntime;
      assert.equal(preRuntime[0].toString(), 'aura');
      const slot = api.createType('u64', preRuntime[1]).toBigInt();
      authors.add(authorities[Number(slot % 2n)]);
      header = await api.rpc.chain.getHeader(header.parentHash);
    }
    assert.equal(authors.size, 2, 'blocks by both Alice and Bob are finalized');
  });
});

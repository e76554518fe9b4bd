// The open validator set: an account sets session keys the standard way, bonds, and validates
// from a later session; when it leaves it is rotated out, and it gets its bond back after the
// unbonding period. Two nodes: Alice (the dev chain's genesis validator) and Charlie's node.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { blockHeights, nodeKeyArgs, rpcCall, startNode, tempDir, waitFor } from '../lib/node.mjs';
import { connect, devKeyring, submitFinalized, UNIT } from '../lib/api.mjs';

/** The session length the test sets: a new validator joins within two sessions (30 s). */
const SESSION = 5;

describe('the open validator set', { timeout: 420_000 }, () => {
  const charlieDir = tempDir();
  let alice;
  let charlieNode;
  let api;
  let keyring;

  before(async () => {
    alice = await startNode(['--dev', ...nodeKeyArgs()], { name: 'alice' });
    const peerId = await rpcCall(alice.rpcPort, 'system_localPeerId');
    // A validator node with an empty keystore: its operator makes the keys over RPC.
    charlieNode = await startNode([
      '--chain', 'dev', '--validator', '--base-path', charlieDir.dir, ...nodeKeyArgs(),
      '--bootnodes', `/ip4/127.0.0.1/tcp/${alice.p2pPort}/p2p/${peerId}`
    ], { name: 'charlie' });
    api = await connect(alice.wsUrl);
    keyring = await devKeyring();
  });

  after(async () => {
    await api?.disconnect();
    await charlieNode?.stop();
    await alice?.stop();
    charlieDir.cleanup();
  });

  /** The accounts of the current session's validators. */
  async function validators () {
    return (await api.query.session.validators()).map((v) => v.toString());
  }

  /** Authors of the finalized blocks after `from`, by account (polkadot.js's derive). */
  async function finalizedAuthors (from) {
    const authors = [];
    const head = await api.rpc.chain.getFinalizedHead();
    let header = await api.derive.chain.getHeader(head);
    while (header.number.toNumber() > from) {
      authors.push(header.author?.toString());
      header = await api.derive.chain.getHeader(header.parentHash);
    }
    return authors;
  }

  test('root shortens sessions with validatorSet.setTerms', async () => {
    const terms = (await api.query.validatorSet.terms()).toJSON();
    assert.equal(terms.sessionLength, 50, 'the dev chain starts with sessions of 50 blocks');
    const { events } = await submitFinalized(api,
      api.tx.sudo.sudo(api.tx.validatorSet.setTerms({ ...terms, sessionLength: SESSION, unbondingPeriod: 10 })),
      keyring.alice);
    assert.ok(events.some(({ event }) => event.section === 'validatorSet' && event.method === 'TermsSet'));
    assert.equal((await api.query.validatorSet.terms()).toJSON().sessionLength, SESSION);
    assert.deepEqual(await validators(), [keyring.alice.address]);
  });

  test('bonding without session keys is refused with a clear error', async () => {
    await assert.rejects(
      submitFinalized(api, api.tx.validatorSet.bond(1_000n * UNIT), keyring.charlie),
      { message: 'validatorSet.NoSessionKeys' });
  });

  test('a bonded candidate with session keys becomes an Aura and GRANDPA authority', async () => {
    const owner = api.createType('AccountId32', keyring.charlie.address).toHex();
    const { keys, proof } = await rpcCall(charlieNode.rpcPort, 'author_rotateKeysWithOwner', [owner]);
    await submitFinalized(api, api.tx.session.setKeys(keys, proof), keyring.charlie);
    const { events } = await submitFinalized(api, api.tx.validatorSet.bond(2_000n * UNIT), keyring.charlie);
    assert.ok(events.some(({ event }) => event.section === 'validatorSet' && event.method === 'Bonded'));
    const bondedAt = (await blockHeights(alice.rpcPort)).finalized;

    // Charlie's bond is the largest, so it comes first in the set.
    await waitFor(async () => (await validators()).includes(keyring.charlie.address),
      { timeoutMs: 120_000, what: 'Charlie in session.validators' });
    assert.deepEqual(await validators(), [keyring.charlie.address, keyring.alice.address]);
    // The session keys are the Aura key (32 bytes) then the GRANDPA key (32 bytes).
    const [auraKey, grandpaKey] = [`0x${keys.slice(2, 66)}`, `0x${keys.slice(66, 130)}`];
    const aura = (await api.query.aura.authorities()).map((a) => a.toHex());
    assert.ok(aura.includes(auraKey), 'the Aura authorities hold Charlie\'s new key');
    const grandpa = (await api.call.grandpaApi.grandpaAuthorities()).map(([id]) => id.toHex());
    assert.ok(grandpa.includes(grandpaKey), 'the GRANDPA authorities hold Charlie\'s new key');

    // Both author, and blocks keep being finalized (GRANDPA now needs both votes: 2 of 2).
    const joinedAt = (await blockHeights(alice.rpcPort)).best;
    await waitFor(async () => (await blockHeights(alice.rpcPort)).finalized >= joinedAt + 6,
      { timeoutMs: 90_000, what: 'finality with Charlie voting' });
    const authors = await finalizedAuthors(joinedAt);
    assert.ok(authors.includes(keyring.charlie.address), `Charlie authored a block: ${authors}`);
    assert.ok(authors.includes(keyring.alice.address), 'Alice still authors');
    assert.ok(bondedAt > 0);
  });

  test('a validator that leaves is rotated out and withdraws its bond after unbonding', async () => {
    const { events } = await submitFinalized(api, api.tx.validatorSet.leave(), keyring.charlie);
    const left = events.find(({ event }) => event.section === 'validatorSet' && event.method === 'Left').event;
    const unlockAt = left.data.unlockAt.toNumber();
    await waitFor(async () => !(await validators()).includes(keyring.charlie.address),
      { timeoutMs: 120_000, what: 'Charlie rotated out' });
    assert.deepEqual(await validators(), [keyring.alice.address]);
    const outAt = (await blockHeights(alice.rpcPort)).best;
    await waitFor(async () => (await blockHeights(alice.rpcPort)).finalized >= outAt + 3,
      { timeoutMs: 60_000, what: 'finality by Alice alone' });

    await assert.rejects(
      submitFinalized(api, api.tx.validatorSet.withdrawUnbonded(), keyring.bob),
      { message: 'validatorSet.NothingUnbonding' });
    await waitFor(async () => (await blockHeights(alice.rpcPort)).best >= unlockAt,
      { timeoutMs: 60_000, what: 'the unlock block' });
    const before = (await api.query.system.account(keyring.charlie.address)).data;
    const { events: withdrawn } = await submitFinalized(api, api.tx.validatorSet.withdrawUnbonded(), keyring.charlie);
    const amount = withdrawn.find(({ event }) => event.method === 'Withdrawn').event.data.amount.toBigInt();
    assert.equal(amount, 2_000n * UNIT);
    const after = (await api.query.system.account(keyring.charlie.address)).data;
    assert.equal(before.reserved.toBigInt() - after.reserved.toBigInt(), 2_000n * UNIT,
      'the bond is no longer held');
  });
});

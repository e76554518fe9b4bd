// Compute-node identities and rewards end to end: a node's worker key put in its keystore with
// `key insert`, registered with a proof from that key, heartbeating from the running node's
// offchain worker; the reward pot filling every block; a payment arriving at the node's owner.
//
// Tests are independent: none relies on another having run or passed. Shared fixtures are made in
// `before` hooks: the outer one starts the node (with the worker key in its keystore) and connects;
// the one of 'a node registered by Alice' registers that node for Alice, which the tests inside
// only read. A test that writes uses its own account (Bob registers his own nodes).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Keyring } from '@polkadot/keyring';
import { base58Decode } from '@polkadot/util-crypto';
import { compactAddLength, u8aConcat, u8aToHex } from '@polkadot/util';
import { runNodeCommand, rpcCall, startNode, tempDir, waitFor } from '../lib/node.mjs';
import { connect, devKeyring, submitFinalized, UNIT } from '../lib/api.mjs';
import { swarmRpc } from '../lib/rpc.mjs';

const WORKER_SURI = '//Alice//worker';

describe('compute nodes and rewards', { timeout: 600_000 }, () => {
  const base = tempDir();
  let node;
  let api;
  let alice;
  let bob;

  before(async () => {
    const inserted = runNodeCommand(['key', 'insert', '--base-path', base.dir, '--chain', 'dev',
      '--key-type', 'swrk', '--scheme', 'sr25519', '--suri', WORKER_SURI]);
    assert.equal(inserted.status, 0, inserted.stderr);
    node = await startNode(['--dev', '--base-path', base.dir], { name: 'compute' });
    api = await connect(node.wsUrl, { rpc: swarmRpc });
    ({ alice, bob } = await devKeyring());
  });

  after(async () => {
    await api?.disconnect();
    await node?.stop();
    base.cleanup();
  });

  const capabilities = { cores: 8, memoryMib: 16384, accelerator: null, formats: ['Safetensors', 'Onnx'] };
  const minBond = () => api.consts.computeNodes.minBond.toBigInt();

  test('the reward pot fills every block', async () => {
    const before = (await api.call.rewardsApi.status()).potBalance.toBigInt();
    await waitFor(async () => (await api.call.rewardsApi.status()).potBalance.toBigInt() > before,
      { timeoutMs: 30_000, what: 'the pot to grow' });
    const status = await api.call.rewardsApi.status();
    assert.ok(status.emissionPerBlock.toBigInt() > 0n);
    assert.equal(status.totalIssuance.toBigInt(),
      status.genesisIssuance.toBigInt() + status.minted.toBigInt() - status.burnt.toBigInt(),
      'issuance adds up');
  });

  describe('a node registered by Alice', () => {
    // The fixture: the running node's worker key, registered by Alice with the minimum bond.
    let nodeId;
    let workerKey;
    let bond;

    before(async () => {
      // Proofs name the chain's genesis hash, which the runtime knows from block 1 on.
      await waitFor(async () => (await api.rpc.chain.getHeader()).number.toNumber() >= 1, { what: 'block 1' });
      const { workerKey: key, proof } = (await api.rpc.worker.registrationProof(alice.address)).toJSON();
      const peerId = u8aToHex(base58Decode(await rpcCall(node.rpcPort, 'system_localPeerId')));
      bond = minBond();
      const { events } = await submitFinalized(api,
        api.tx.computeNodes.registerNode(key, proof, peerId, capabilities, bond), alice);
      const registered = events.find(({ event }) => api.events.computeNodes.NodeRegistered.is(event));
      assert.ok(registered, 'a NodeRegistered event');
      nodeId = registered.event.data.node.toNumber();
      workerKey = key;
    });

    test('the node proves its worker key and Alice registers it with a bond', async () => {
      const { keys } = (await api.rpc.worker.keys()).toJSON();
      assert.equal(keys.length, 1, 'the keystore holds the inserted worker key');
      const expected = new Keyring({ type: 'sr25519' }).addFromUri(WORKER_SURI);
      assert.equal(workerKey, u8aToHex(expected.publicKey));
      const { workerKey: proven } = (await api.rpc.worker.registrationProof(alice.address)).toJSON();
      assert.equal(proven, u8aToHex(expected.publicKey), 'the node proves the same key again');

      const info = (await api.call.computeNodesApi.node(nodeId)).unwrap();
      assert.equal(info.owner.toString(), alice.address);
      assert.equal(info.bond.toBigInt(), bond);
      assert.equal(info.status.toString(), 'Active');
      const holds = (await api.query.balances.holds(alice.address)).map((h) => h.id.toJSON());
      assert.ok(holds.some((id) => id.computeNodes === 'NodeBond'), `the bond is a hold: ${JSON.stringify(holds)}`);
      const mine = await api.call.computeNodesApi.nodesOf(alice.address);
      assert.deepEqual(mine.map(([id]) => id.toNumber()), [nodeId]);
    });

    test('the running node heartbeats from its worker key, for free', async () => {
      const interval = api.consts.computeNodes.heartbeatInterval.toNumber();
      const found = await waitFor(async () => {
        const hash = await api.rpc.chain.getFinalizedHead();
        const events = await (await api.at(hash)).query.system.events();
        const beat = events.find(({ event }) =>
          api.events.computeNodes.HeartbeatReceived.is(event) && event.data.node.toNumber() === nodeId);
        return beat ? { hash, beat } : null;
      }, { timeoutMs: (interval + 15) * 3_000, intervalMs: 1_000, what: 'a heartbeat' });

      // The heartbeat is a general transaction: no signer, so no fee was paid for it.
      const block = await api.rpc.chain.getBlock(found.hash);
      const index = found.beat.phase.asApplyExtrinsic.toNumber();
      const xt = block.block.extrinsics[index];
      assert.equal(xt.method.section, 'computeNodes');
      assert.equal(xt.method.method, 'heartbeat');
      assert.equal(xt.isSigned, false);
      const events = await (await api.at(found.hash)).query.system.events();
      assert.ok(!events.some(({ event, phase }) => phase.isApplyExtrinsic &&
        phase.asApplyExtrinsic.toNumber() === index && api.events.transactionPayment.TransactionFeePaid.is(event)));
      const info = (await api.call.computeNodesApi.node(nodeId)).unwrap();
      assert.ok(info.lastHeartbeat.toNumber() > info.registeredAt.toNumber());
      const active = await api.call.computeNodesApi.activeNodes();
      assert.ok(active.some(([id]) => id.toNumber() === nodeId));
    });

    test('a payment for work arrives at the node owner', async () => {
      const amount = 3n * UNIT;
      // The pot must hold the amount above its existential deposit; early on it may not yet.
      const existentialDeposit = api.consts.balances.existentialDeposit.toBigInt();
      await waitFor(async () =>
        (await api.call.rewardsApi.status()).potBalance.toBigInt() >= amount + existentialDeposit,
      { timeoutMs: 60_000, what: 'the pot to hold the payment' });
      const earnedBefore = (await api.call.rewardsApi.accountEarnings(alice.address)).toBigInt();
      const { events } = await submitFinalized(api,
        api.tx.sudo.sudo(api.tx.rewards.payWork({ Other: 42 }, [[nodeId, 1]], amount)), alice);
      const paid = events.find(({ event }) => api.events.rewards.RewardPaid.is(event));
      assert.ok(paid, 'a RewardPaid event');
      assert.equal(paid.event.data.owner.toString(), alice.address);
      assert.equal(paid.event.data.amount.toBigInt(), amount);
      assert.deepEqual(paid.event.data.work.toJSON(), { other: 42 }, 'the work, by kind');
      assert.equal((await api.call.rewardsApi.nodeEarnings(nodeId)).toBigInt(), amount);
      const earnedAfter = (await api.call.rewardsApi.accountEarnings(alice.address)).toBigInt();
      assert.ok(earnedAfter - earnedBefore >= amount);
    });

    test('bad registrations fail with named errors and change nothing', async () => {
      const keyring = new Keyring({ type: 'sr25519' });
      const other = keyring.addFromUri('//Bob//worker');
      const payload = async (owner, key) => (await api.call.computeNodesApi.keyProofPayload(owner, key)).unwrap().payload.toU8a(true);
      const nodesBefore = (await api.query.computeNodes.nodeCount()).toNumber();
      const register = (key, proof, bond = minBond()) =>
        api.tx.computeNodes.registerNode(key, proof, '0x010203', capabilities, bond);

      // A bad proof: signed by another key.
      const wrongSigner = keyring.addFromUri('//Eve').sign(await payload(bob.address, other.publicKey));
      await assert.rejects(submitFinalized(api, register(other.publicKey, wrongSigner), bob), /computeNodes.BadProof/);
      // A bond below the minimum.
      const good = other.sign(await payload(bob.address, other.publicKey));
      await assert.rejects(submitFinalized(api, register(other.publicKey, good, minBond() - 1n), bob), /computeNodes.BondTooLow/);
      // A worker key another node has (the fixture's node, registered by Alice).
      const { proof } = (await api.rpc.worker.registrationProof(bob.address)).toJSON();
      await assert.rejects(submitFinalized(api, register(workerKey, proof), bob), /computeNodes.DuplicateWorkerKey/);
      // A replayed proof: made before Bob's registration moved his nonce on.
      const third = keyring.addFromUri('//Bob//worker2');
      const early = third.sign(await payload(bob.address, third.publicKey));
      await submitFinalized(api, register(other.publicKey, good), bob);
      await assert.rejects(submitFinalized(api, register(third.publicKey, early), bob), /computeNodes.ProofReplayed/);
      assert.equal((await api.query.computeNodes.nodeCount()).toNumber(), nodesBefore + 1);

      // A rotation without a proof from the new key.
      const bobsNode = (await api.call.computeNodesApi.nodeByKey(other.publicKey)).unwrap()[0].toNumber();
      const notFromNewKey = other.sign(await payload(bob.address, third.publicKey));
      await assert.rejects(submitFinalized(api,
        api.tx.computeNodes.rotateWorkerKey(bobsNode, third.publicKey, notFromNewKey), bob), /computeNodes.BadProof/);
    });

    test('the pool refuses heartbeats of unknown nodes or keys, with their reason codes', async () => {
      const genesis = await api.rpc.chain.getBlockHash(0);
      const best = (await api.rpc.chain.getHeader()).number.toNumber();
      const stranger = new Keyring({ type: 'sr25519' }).addFromUri('//Stranger//worker');
      const heartbeatTx = (nodeIdToBeat) => {
        const heartbeat = { node: nodeIdToBeat, at: best };
        const encoded = api.tx.computeNodes.heartbeat(heartbeat, new Uint8Array(64)).method.args[0].toU8a();
        const message = u8aConcat(new TextEncoder().encode('swarm/heartbeat'), genesis.toU8a(), encoded);
        const call = api.tx.computeNodes.heartbeat(heartbeat, stranger.sign(message)).method.toU8a();
        // A v5 general transaction: version byte 0x45, extension version 0, then the explicit
        // parts of the extensions (immortal era, nonce 0, tip 0, metadata-hash mode 0), then the call.
        return u8aToHex(compactAddLength(u8aConcat(new Uint8Array([0x45, 0, 0, 0, 0, 0]), call)));
      };
      const submit = (hex) => api._rpcCore.provider.send('author_submitExtrinsic', [hex]);
      // From an unregistered node (or key): code 1, UnknownNode.
      await assert.rejects(submit(heartbeatTx(999)), /Custom error: 1/);
      // For a registered node, signed by a key that is not its worker key: code 2, BadSignature.
      await assert.rejects(submit(heartbeatTx(nodeId)), /Custom error: 2/);
    });
  });
});

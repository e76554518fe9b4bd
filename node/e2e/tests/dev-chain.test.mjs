// A user's first session: start `swarm-node --dev`, connect polkadot.js, send a transfer.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mnemonicGenerate } from '@polkadot/util-crypto';
import { Keyring } from '@polkadot/keyring';
import { startNode, waitFor, blockHeights, rpcCall } from '../lib/node.mjs';
import { connect, devKeyring, submitFinalized, UNIT } from '../lib/api.mjs';

describe('a dev chain', { timeout: 300_000 }, () => {
  let node;
  let api;
  let accounts;

  before(async () => {
    node = await startNode(['--dev', '--tmp'], { name: 'dev' });
    api = await connect(node.wsUrl);
    accounts = await devKeyring();
  });

  after(async () => {
    await api?.disconnect();
    await node?.stop();
  });

  test('root changes a governed parameter with a call, and fees follow at once', async () => {
    const MICRO = UNIT / 1_000_000n;
    const remark = api.tx.system.remark(`0x${'00'.repeat(1000)}`);
    const before = (await remark.paymentInfo(accounts.bob)).partialFee.toBigInt();
    const { events } = await submitFinalized(api, api.tx.sudo.sudo(
      api.tx.parameters.setParameter({ Fees: { TransactionByteFee: [null, 3n * MICRO] } })), accounts.alice);
    assert.ok(events.some(({ event }) => event.section === 'parameters' && event.method === 'Updated'),
      'parameters.Updated');
    const after = (await remark.paymentInfo(accounts.bob)).partialFee.toBigInt();
    // Each byte now costs 3 micro-SWARM instead of 1: the fee grows by 2 micro-SWARM a byte.
    const extra = after - before;
    assert.equal(extra % (2n * MICRO), 0n, `the fee grew by whole bytes: ${extra}`);
    const bytes = extra / (2n * MICRO);
    assert.ok(bytes > 1000n && bytes < 1200n, `the remark's length in bytes: ${bytes}`);
    // Removing the value restores the default.
    await submitFinalized(api, api.tx.sudo.sudo(
      api.tx.parameters.setParameter({ Fees: { TransactionByteFee: [null, null] } })), accounts.alice);
    assert.equal((await remark.paymentInfo(accounts.bob)).partialFee.toBigInt(), before);
  });

  test('the RPCs that quote fees read the governed values', async () => {
    const MILLI = UNIT / 1000n;
    const terms = async () => ({
      jobs: await rpcCall(node.rpcPort, 'jobs_disputeTerms'),
      rounds: await rpcCall(node.rpcPort, 'rounds_disputeTerms')
    });
    const before = await terms();
    assert.equal(BigInt(before.jobs.committeeFee), BigInt(before.jobs.replicas) * 10n * MILLI);
    assert.equal(BigInt(before.rounds.committeeFee), BigInt(before.rounds.replicas) * 10n * MILLI);
    const set = (nodeFee, committeeFee) => submitFinalized(api, api.tx.sudo.sudo(api.tx.utility.batchAll([
      api.tx.parameters.setParameter({ Inference: { NodeFee: [null, nodeFee] } }),
      api.tx.parameters.setParameter({ Training: { CommitteeFee: [null, committeeFee] } })
    ])), accounts.alice);
    await set(2n * MILLI, 3n * MILLI);
    const after = await terms();
    assert.equal(BigInt(after.jobs.committeeFee), BigInt(after.jobs.replicas) * 2n * MILLI);
    assert.equal(BigInt(after.rounds.committeeFee), BigInt(after.rounds.replicas) * 3n * MILLI);
    await set(null, null);
    assert.deepEqual(await terms(), before);
  });

  test('serves the Swarmchain runtime and its metadata to polkadot.js', async () => {
    assert.equal(api.runtimeVersion.specName.toString(), 'swarmchain');
    for (const pallet of ['system', 'timestamp', 'aura', 'grandpa', 'balances', 'transactionPayment', 'sudo']) {
      assert.ok(api.query[pallet], `metadata has pallet ${pallet}`);
    }
    const properties = await api.rpc.system.properties();
    assert.equal(properties.tokenSymbol.unwrap()[0].toString(), 'SWARM');
    assert.equal(properties.tokenDecimals.unwrap()[0].toNumber(), 12);
  });

  test('authors blocks with Aura and finalizes them with GRANDPA', async () => {
    const heights = await waitFor(async () => {
      const h = await blockHeights(node.rpcPort);
      return h.best >= 3 && h.finalized >= 1 ? h : null;
    }, { timeoutMs: 60_000, what: 'block 3 and a finalized block' });
    assert.ok(heights.finalized <= heights.best);
  });

  test('funds the dev accounts and makes Alice sudo', async () => {
    const genesis = await api.at(await api.rpc.chain.getBlockHash(0));
    for (const [name, pair] of Object.entries(accounts)) {
      const { data } = await genesis.query.system.account(pair.address);
      assert.equal(data.free.toBigInt() + data.reserved.toBigInt(), 1_000_000n * UNIT, `${name} is funded at genesis`);
    }
    // Alice validates: 1,000 SWARM of hers is held as her validator bond.
    const { data: alice } = await genesis.query.system.account(accounts.alice.address);
    assert.equal(alice.reserved.toBigInt(), 1_000n * UNIT);
    assert.deepEqual((await genesis.query.session.validators()).map(String), [accounts.alice.address]);
    const sudoKey = await api.query.sudo.key();
    assert.equal(sudoKey.unwrap().toString(), accounts.alice.address);
  });

  test('finalizes a balance transfer signed by Alice', async () => {
    const recipient = new Keyring({ type: 'sr25519' }).addFromMnemonic(mnemonicGenerate());
    const amount = 42n * UNIT;

    const tx = api.tx.balances.transferKeepAlive(recipient.address, amount);
    const { blockHash, events } = await submitFinalized(api, tx, accounts.alice);

    assert.ok(events.some(({ event }) => api.events.system.ExtrinsicSuccess.is(event)));
    const transfer = events.find(({ event }) => api.events.balances.Transfer.is(event));
    assert.ok(transfer, 'a Transfer event was deposited');
    assert.equal(transfer.event.data.amount.toBigInt(), amount);
    const feePaid = events.find(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event));
    const fee = feePaid.event.data.actualFee.toBigInt();
    assert.ok(fee > 0n && fee < UNIT, `the fee is small but not zero (${fee})`);

    // Compare the balances just before and just after the block that included the transfer.
    const header = await api.rpc.chain.getHeader(blockHash);
    const before = await api.at(header.parentHash);
    const afterBlock = await api.at(blockHash);
    const free = async (at, address) => (await at.query.system.account(address)).data.free.toBigInt();
    assert.equal(await free(before, recipient.address), 0n);
    assert.equal(await free(afterBlock, recipient.address), amount);
    // Alice authors every block of the dev chain, so she also received the block's author reward.
    const emitted = events.length && (await afterBlock.query.system.events())
      .find(({ event }) => api.events.rewards.Emitted.is(event));
    const authorReward = emitted && emitted.event.data.author.isSome &&
      emitted.event.data.author.unwrap().toString() === accounts.alice.address
      ? emitted.event.data.toAuthor.toBigInt()
      : 0n;
    assert.equal(
      await free(before, accounts.alice.address) - await free(afterBlock, accounts.alice.address),
      amount + fee - authorReward,
      'Alice paid the amount and the fee'
    );
  });
});

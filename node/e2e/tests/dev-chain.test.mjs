// A user's first session: start `swarm-node --dev`, connect polkadot.js, send a transfer.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mnemonicGenerate } from '@polkadot/util-crypto';
import { Keyring } from '@polkadot/keyring';
import { startNode, waitFor, blockHeights } from '../lib/node.mjs';
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
      assert.equal(data.free.toBigInt(), 1_000_000n * UNIT, `${name} is funded at genesis`);
    }
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

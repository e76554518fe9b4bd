// Publish-version extrinsics included per second, against balance transfers, on the same dev chain
// in the same run. Each kind: `count` transactions signed in advance by the dev accounts, submitted
// at once; the rate is their number over the time between the first and last block including them.
//
//   node bench/throughput.mjs [count=2000]

import { hexToU8a } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';
import { devChain, report } from './common.mjs';
import { sendAll } from '../lib/weights.mjs';

const count = Number(process.argv[2] ?? 2000);

const chain = await devChain('bench-throughput');
const { api, accounts } = chain;
const senders = Object.values(accounts);

/** Signs `count` transactions made by `make(i)`, spread over the senders with consecutive nonces. */
async function presign (make) {
  const nonces = await Promise.all(senders.map(async (s) => (await api.rpc.system.accountNextIndex(s.address)).toNumber()));
  const signed = [];
  for (let i = 0; i < count; i++) {
    const s = i % senders.length;
    const tx = make(i, senders[s]);
    await tx.signAsync(senders[s], { nonce: nonces[s]++, era: 0 });
    signed.push(tx.toHex());
  }
  return signed;
}

/** Submits `signed` and measures how fast blocks include transactions of `section.method`. */
async function measure (signed, section, method) {
  const perBlock = [];
  let included = 0;
  let resolveDone;
  const done = new Promise((resolve) => { resolveDone = resolve; });
  const unsubscribe = await api.rpc.chain.subscribeNewHeads(async (header) => {
    const hash = header.hash;
    const [block, now] = await Promise.all([api.rpc.chain.getBlock(hash), (await api.at(hash)).query.timestamp.now()]);
    const n = block.block.extrinsics.filter((xt) => xt.method.section === section && xt.method.method === method).length;
    if (n > 0) {
      perBlock.push({ number: header.number.toNumber(), n, time: now.toNumber() });
      included += n;
      if (included >= signed.length) resolveDone();
    }
  });
  const provider = api._rpcCore.provider;
  await Promise.all(signed.map((hex) => provider.send('author_submitExtrinsic', [hex]).catch((e) => {
    throw new Error(`submission failed: ${e.message}`);
  })));
  await done;
  unsubscribe();
  const slot = api.consts.aura.slotDuration.toNumber();
  const spanMs = perBlock.at(-1).time - perBlock[0].time + slot;
  return { rate: signed.length / (spanMs / 1000), blocks: perBlock.length, maxPerBlock: Math.max(...perBlock.map((b) => b.n)) };
}

try {
  await sendAll(api, [api.tx.modelRegistry.createModel('throughput', 'mit', 'benchmark model', 'Open')], accounts.alice);
  const transfers = await presign((i) => api.tx.balances.transferKeepAlive(accounts.ferdie.address, 1_000_000_000n + BigInt(i)));
  const t = await measure(transfers, 'balances', 'transferKeepAlive');

  // All senders publish into their own models, so that each signs only for a model it owns.
  const models = {};
  for (const sender of senders) {
    const name = `tp-${sender.address.slice(0, 8)}`;
    const { events } = (await sendAll(api, [api.tx.modelRegistry.createModel(name, 'mit', '', 'Open')], sender))[0];
    models[sender.address] = events.find(({ event }) => api.events.modelRegistry.ModelCreated.is(event)).event.data.model.toNumber();
  }
  const publishes = await presign((i, sender) => api.tx.modelRegistry.publishVersion(models[sender.address],
    blake2AsHex(`bench ${i}`), 1 << 20, { Hash: blake2AsHex('config') }, [['accuracy', 880_000_000n]], []));
  const p = await measure(publishes, 'modelRegistry', 'publishVersion');

  // What a block can hold of each, by weight (from the benchmarked weights): the fee query of the
  // first signed transaction of each kind, given its bytes (an extrinsic object or its hex would
  // be encoded wrongly for this parameter: see the README).
  const limits = api.consts.system.blockWeights;
  const normalMax = limits.perClass.normal.maxTotal.unwrap().refTime.toBigInt();
  const capacity = async (hex) => {
    const bytes = hexToU8a(hex);
    const info = await api.call.transactionPaymentApi.queryInfo(bytes, bytes.length);
    const perTx = info.weight.refTime.toBigInt() + limits.perClass.normal.baseExtrinsic.refTime.toBigInt();
    return Number(normalMax / perTx);
  };
  const transferCap = await capacity(transfers[0]);
  const publishCap = await capacity(publishes[0]);

  console.log(`\n${count} transactions of each kind, ${senders.length} senders`);
  report('balance transfers included per second', t.rate.toFixed(0), 'tx/s', `${t.blocks} blocks, at most ${t.maxPerBlock} per block`);
  report('publish-version included per second', p.rate.toFixed(0), 'tx/s', `${p.blocks} blocks, at most ${p.maxPerBlock} per block`);
  report('publish-version / transfers', (p.rate / t.rate).toFixed(2), 'x', 'goal >= 0.8');
  report('block capacity by weight: transfers', transferCap, 'per block');
  report('block capacity by weight: publish-version', publishCap, 'per block');
  report('capacity ratio publish-version / transfers', (publishCap / transferCap).toFixed(2), 'x');
} finally {
  await chain.close();
}

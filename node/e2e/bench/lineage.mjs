// Lineage query latency at depth 1,000: the `models_ancestors` RPC (through polkadot.js, as a user
// calls it) against a client that walks the same lineage with polkadot.js storage queries (one
// `modelRegistry.versions` read per step). Also the bare runtime API walk (`state_call`), which
// is what a version's first query costs before the node remembers its (immutable) ancestry.
//
//   node bench/lineage.mjs [depth=1000] [samples=200]

import { blake2AsHex } from '@polkadot/util-crypto';
import { devChain, elapsedMs, jsonRpcClient, quantile, report } from './common.mjs';
import { sendAll } from '../lib/weights.mjs';

const depth = Number(process.argv[2] ?? 1000);
const samples = Number(process.argv[3] ?? 200);

const chain = await devChain('bench-lineage');
const { api, accounts: { alice } } = chain;
try {
  // A chain of `depth` versions, each fine-tuned from the previous one.
  await sendAll(api, [api.tx.modelRegistry.createModel('deep', 'mit', 'a deep lineage', 'Open')], alice);
  const txs = [];
  for (let i = 0; i < depth; i++) {
    txs.push(api.tx.modelRegistry.publishVersion(0, blake2AsHex(`weights ${i}`), 1000 + i,
      { Hash: blake2AsHex('config') }, [], i === 0 ? [] : [[i - 1, 'Finetune']]));
  }
  const setupStart = process.hrtime.bigint();
  for (let i = 0; i < txs.length; i += 500) await sendAll(api, txs.slice(i, i + 500), alice);
  console.log(`published ${depth} versions in ${(elapsedMs(setupStart) / 1000).toFixed(1)} s`);
  const tip = depth - 1;

  // Warm up both paths once.
  const lineage = (await api.rpc.models.ancestors(String(tip), depth)).toJSON();
  if (lineage.nodes.length !== depth) throw new Error(`expected ${depth} ancestors, got ${lineage.nodes.length}`);
  const walk = async () => {
    let id = tip;
    let steps = 0;
    for (;;) {
      const version = (await api.query.modelRegistry.versions(id)).unwrap();
      steps++;
      if (version.parents.length === 0) return steps;
      id = version.parents[0][0].toNumber();
    }
  };
  if (await walk() !== depth) throw new Error('the storage walk did not reach the root');

  // A plain JSON-RPC client over a WebSocket of its own, as any language's client calls it...
  const client = await jsonRpcClient(chain.node.wsUrl);
  const rpcTimes = [];
  for (let i = 0; i < samples; i++) {
    const start = process.hrtime.bigint();
    const answer = await client.call('models_ancestors', [String(tip), depth]);
    rpcTimes.push(elapsedMs(start));
    if (answer.nodes.length !== depth) throw new Error('short answer');
  }
  client.close();
  // ... and through polkadot.js's decorated `api.rpc`, which adds its own decoding.
  const pjsTimes = [];
  for (let i = 0; i < samples; i++) {
    const start = process.hrtime.bigint();
    await api.rpc.models.ancestors(String(tip), depth);
    pjsTimes.push(elapsedMs(start));
  }
  // The runtime API alone (`state_call`, no node-side cache): what a first query of a version
  // costs.
  const input = api.createType('(u64, u32)', [tip, depth]).toHex();
  const provider = api._rpcCore.provider;
  const runtimeTimes = [];
  for (let i = 0; i < samples; i++) {
    const start = process.hrtime.bigint();
    await provider.send('state_call', ['ModelRegistryApi_ancestors', input]);
    runtimeTimes.push(elapsedMs(start));
  }
  const walkSamples = Math.max(5, Math.round(samples / 20));
  const walkTimes = [];
  for (let i = 0; i < walkSamples; i++) {
    const start = process.hrtime.bigint();
    await walk();
    walkTimes.push(elapsedMs(start));
  }

  const p50 = quantile(rpcTimes, 0.5);
  const p99 = quantile(rpcTimes, 0.99);
  const walkP50 = quantile(walkTimes, 0.5);
  console.log(`\nlineage depth ${depth}: ${samples} RPC samples, ${walkSamples} storage-walk samples`);
  report('models_ancestors p50', p50.toFixed(2), 'ms');
  report('models_ancestors p99', p99.toFixed(2), 'ms', 'goal <= 5 ms');
  report('models_ancestors via polkadot.js api.rpc p50', quantile(pjsTimes, 0.5).toFixed(2), 'ms');
  report('models_ancestors via polkadot.js api.rpc p99', quantile(pjsTimes, 0.99).toFixed(2), 'ms');
  report('runtime API walk (state_call, uncached) p50', quantile(runtimeTimes, 0.5).toFixed(2), 'ms');
  report('runtime API walk (state_call, uncached) p99', quantile(runtimeTimes, 0.99).toFixed(2), 'ms');
  report('polkadot.js storage walk p50', walkP50.toFixed(1), 'ms');
  report('speed-up (walk p50 / RPC p50)', (walkP50 / p50).toFixed(0), 'x', 'goal >= 100x');
} finally {
  await chain.close();
}

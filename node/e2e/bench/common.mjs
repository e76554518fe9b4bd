// Helpers shared by the benchmarks: statistics and a fresh dev node with polkadot.js.

import WebSocket from 'ws';
import { startNode, tempDir } from '../lib/node.mjs';
import { connect, devKeyring } from '../lib/api.mjs';
import { swarmRpc } from '../lib/rpc.mjs';

/** The `q`-quantile (0..1) of `samples`, by nearest rank. */
export function quantile (samples, q) {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

/** Milliseconds since `start` (a `process.hrtime.bigint()`). */
export const elapsedMs = (start) => Number(process.hrtime.bigint() - start) / 1e6;

/** Starts a dev node on a fresh base path and connects polkadot.js to it. */
export async function devChain (name) {
  const base = tempDir('swarm-bench-');
  const node = await startNode(['--dev', '--base-path', base.dir, '--pool-limit', '20000', '--pool-kbytes', '200000'], { name });
  const api = await connect(node.wsUrl, { rpc: swarmRpc });
  const accounts = await devKeyring();
  return {
    node,
    api,
    accounts,
    async close () {
      await api.disconnect();
      await node.stop();
      base.cleanup();
    }
  };
}

/** Prints one figure in a fixed format that BENCHMARKS.md quotes. */
export function report (name, value, unit, note = '') {
  console.log(`${name.padEnd(52)} ${String(value).padStart(12)} ${unit}${note ? `   (${note})` : ''}`);
}

/** A minimal JSON-RPC client on a WebSocket of its own: `call(method, params)` resolves with the result. */
export async function jsonRpcClient (url) {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
  let nextId = 0;
  const pending = new Map();
  socket.on('message', (data) => {
    const message = JSON.parse(data);
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(JSON.stringify(message.error)));
    else waiter.resolve(message.result);
  });
  return {
    call: (method, params = []) => new Promise((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    }),
    close: () => socket.close()
  };
}

// Zombienet js-script for 0002-node-loss.zndsl: the validator as a compute node. `args[0]`:
//
//   register    registers the node's worker key (from its keystore, over `worker_registrationProof`)
//               as a compute node of the validator's account (//Alice, ...), with the minimum
//               bond; returns the node id
//   heartbeat   waits until the node's worker heartbeats after this moment (the offchain worker
//               runs again, e.g. after a restart); returns 1
const { u8aToHex } = require('@polkadot/util');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A JSON-RPC call over HTTP (for the methods polkadot.js does not decorate). */
async function rpc (wsUri, method, params) {
  const response = await fetch(wsUri.replace(/^ws/, 'http'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })
  });
  const { result, error } = await response.json();
  if (error) throw new Error(`${method}: ${JSON.stringify(error)}`);
  return result;
}

async function run (nodeName, networkInfo, args) {
  const { wsUri } = networkInfo.nodesByName[nodeName];
  const api = await zombie.connect(wsUri);
  const owner = new zombie.Keyring({ type: 'sr25519' })
    .addFromUri(`//${nodeName[0].toUpperCase()}${nodeName.slice(1)}`);
  try {
    if (args[0] === 'register') {
      const { workerKey, proof } = await rpc(wsUri, 'worker_registrationProof', [owner.address]);
      const peerId = u8aToHex(zombie.util.base58Decode(await rpc(wsUri, 'system_localPeerId', [])));
      const capabilities = { cores: 2, memoryMib: 4096, accelerator: null, formats: ['Safetensors'] };
      const tx = api.tx.computeNodes.registerNode(workerKey, proof, peerId, capabilities,
        api.consts.computeNodes.minBond);
      return await new Promise((resolve, reject) => {
        tx.signAndSend(owner, ({ status, events, dispatchError }) => {
          if (dispatchError) reject(new Error(`${nodeName}: registerNode failed: ${dispatchError}`));
          if (status.isInBlock) {
            const registered = events.find(({ event }) => event.method === 'NodeRegistered');
            if (registered) resolve(registered.event.data.node.toNumber());
          }
        }).catch(reject);
      });
    }
    if (args[0] === 'heartbeat') {
      const since = (await api.rpc.chain.getHeader()).number.toNumber();
      for (;;) {
        // Storage, not the runtime API: zombienet's polkadot.js does not decorate runtime APIs.
        for (const [key, value] of await api.query.computeNodes.nodes.entries()) {
          const info = value.unwrap();
          if (info.owner.toString() === owner.address && info.lastHeartbeat.toNumber() > since) {
            console.log(`${nodeName}: node ${key.args[0]} heartbeated at #${info.lastHeartbeat} (${info.status})`);
            return 1;
          }
        }
        await sleep(2000);
      }
    }
    throw new Error(`unknown check ${args[0]}`);
  } finally {
    await api.disconnect();
  }
}

module.exports = { run };

// Zombienet js-script: how many worker keys (`swrk`) the node's keystore holds. Zombienet writes
// one per validator (`keystore_key_types` in local.toml); a compute node signs heartbeats with it.
async function run (nodeName, networkInfo) {
  const { wsUri } = networkInfo.nodesByName[nodeName];
  const response = await fetch(wsUri.replace(/^ws/, 'http'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'worker_keys', params: [] })
  });
  const { result, error } = await response.json();
  if (error) throw new Error(JSON.stringify(error));
  return result.keys.length;
}

module.exports = { run };

// Uploading and downloading weights files through the weights store, as a client does.

import { blake2AsU8a } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';

/** The runtime's chunk size: 1 MiB. */
export const CHUNK_SIZE = 1024 * 1024;

/** The blake2-256 hash of `bytes`, as 0x hex. */
export const blake2 = (bytes) => u8aToHex(blake2AsU8a(bytes, 256));

/**
 * Signs and sends `txs` from `signer` with consecutive nonces without waiting between them, and
 * resolves once all are in finalized blocks. Rejects on the first failed extrinsic.
 */
export async function sendAll (api, txs, signer, { timeoutMs = 300_000 } = {}) {
  let nonce = (await api.rpc.system.accountNextIndex(signer.address)).toNumber();
  const done = txs.map((tx) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('not finalized in time')), timeoutMs);
    tx.signAndSend(signer, { nonce: nonce++ }, ({ status, events, dispatchError }) => {
      if (dispatchError) {
        clearTimeout(timer);
        const meta = dispatchError.isModule ? api.registry.findMetaError(dispatchError.asModule) : null;
        reject(new Error(meta ? `${meta.section}.${meta.name}` : dispatchError.toString()));
      } else if (status.isFinalized) {
        clearTimeout(timer);
        resolve({ blockHash: status.asFinalized.toHex(), events });
      }
    }).catch((error) => { clearTimeout(timer); reject(error); });
  }));
  return Promise.all(done);
}

/** Uploads `bytes` to the weights store as `signer`; resolves with the file hash once stored. */
export async function uploadWeights (api, bytes, signer) {
  const file = blake2(bytes);
  const txs = [api.tx.weightsStore.beginUpload(file, bytes.length)];
  for (let index = 0, offset = 0; offset < bytes.length; index++, offset += CHUNK_SIZE) {
    const chunk = bytes.subarray(offset, offset + CHUNK_SIZE);
    // Raw bytes go in as hex: polkadot.js reads a Uint8Array given for `Bytes` as SCALE-encoded.
    txs.push(api.tx.weightsStore.uploadChunk(file, index, blake2(chunk), u8aToHex(chunk)));
  }
  const results = await sendAll(api, txs, signer);
  const stored = results.flatMap((r) => r.events).some(({ event }) => api.events.weightsStore.FileStored.is(event));
  if (!stored) throw new Error('the upload finished without a FileStored event');
  return file;
}

/** Downloads a stored file by hash through `weights_manifest` and `weights_chunk`, checking it. */
export async function downloadWeights (api, file) {
  const manifest = (await api.rpc.weights.manifest(file)).toJSON();
  const bytes = new Uint8Array(manifest.size);
  let offset = 0;
  for (let index = 0; index < manifest.chunks.length; index++) {
    const chunk = (await api.rpc.weights.chunk(file, index)).toU8a(true);
    if (blake2(chunk) !== manifest.chunks[index]) throw new Error(`chunk ${index} does not match its hash`);
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  if (offset !== manifest.size) throw new Error(`got ${offset} bytes, expected ${manifest.size}`);
  if (blake2(bytes) !== file) throw new Error('the file does not match its hash');
  return bytes;
}

// Weights upload and download throughput for a 16 MiB file: upload = from the first transaction's
// submission to the file being stored (finalized); download = manifest plus every chunk over RPC,
// checked against the file hash.
//
//   node bench/weights-io.mjs [MiB=16]

import { randomBytes } from 'node:crypto';
import { devChain, elapsedMs, report } from './common.mjs';
import { downloadWeights, uploadWeights } from '../lib/weights.mjs';

const mib = Number(process.argv[2] ?? 16);

const chain = await devChain('bench-weights');
const { api, accounts: { alice } } = chain;
try {
  const bytes = new Uint8Array(randomBytes(mib * 1024 * 1024));
  let start = process.hrtime.bigint();
  const file = await uploadWeights(api, bytes, alice);
  const uploadS = elapsedMs(start) / 1000;
  start = process.hrtime.bigint();
  const back = await downloadWeights(api, file);
  const downloadS = elapsedMs(start) / 1000;
  if (Buffer.compare(Buffer.from(back), Buffer.from(bytes)) !== 0) throw new Error('downloaded bytes differ');
  console.log(`\n${mib} MiB weights file ${file}`);
  report('upload (submit to finalized)', (mib / uploadS).toFixed(2), 'MiB/s', `${uploadS.toFixed(1)} s`);
  report('download (RPC, hash-checked)', (mib / downloadS).toFixed(1), 'MiB/s', `${downloadS.toFixed(2)} s`);
} finally {
  await chain.close();
}

// Connecting @polkadot/api to a test node, and signing with the dev accounts.

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

/** One SWARM in plancks (12 decimals). */
export const UNIT = 10n ** 12n;

/**
 * An ApiPromise connected to `wsUrl`, with no custom type definitions; `rpc` adds custom RPC
 * method definitions (see rpc.mjs).
 */
export async function connect (wsUrl, { rpc } = {}) {
  await cryptoWaitReady();
  const provider = new WsProvider(wsUrl, 1000, {}, 30_000);
  return ApiPromise.create({ provider, rpc, noInitWarn: true, throwOnConnect: true });
}

/** An sr25519 keyring with the well-known dev accounts (`//Alice`, `//Bob`, ...). */
export async function devKeyring () {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const names = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'];
  return Object.fromEntries(names.map((name) => [name.toLowerCase(), keyring.addFromUri(`//${name}`)]))
}

/**
 * Signs and submits `tx` with `signer` and resolves once it is finalized (or, with `inBlock`,
 * as soon as it is in a block), with its events.
 * Rejects with the decoded module error if the extrinsic failed.
 */
export function submitFinalized (api, tx, signer, { timeoutMs = 90_000, inBlock = false } = {}) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not finalized within ${timeoutMs} ms`)), timeoutMs);
    let unsubscribe = () => {};
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      if (dispatchError) {
        clearTimeout(timer);
        unsubscribe();
        if (dispatchError.isModule) {
          const { section, name } = api.registry.findMetaError(dispatchError.asModule);
          reject(Object.assign(new Error(`${section}.${name}`), { section, name }));
        } else {
          reject(new Error(dispatchError.toString()));
        }
        return;
      }
      if (inBlock && status.isInBlock) {
        clearTimeout(timer);
        unsubscribe();
        resolve({ blockHash: status.asInBlock.toHex(), events });
        return;
      }
      if (status.isFinalized) {
        clearTimeout(timer);
        unsubscribe();
        resolve({ blockHash: status.asFinalized.toHex(), events });
      }
    }).then((unsub) => { unsubscribe = unsub; }, (error) => { clearTimeout(timer); reject(error); });
  });
}

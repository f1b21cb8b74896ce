/** Request bodies of the v3 JSON API for the benchmark's keys (8 bytes) and values (256 bytes), base64 as the API wants. */

export const KEY_BYTES = 8;
export const VALUE_BYTES = 256;
/** Puts per fill transaction: below etcd's default limit of 128 operations per txn. */
export const FILL_BATCH = 100;

function b64(text: string | Buffer): string {
  return Buffer.from(text).toString('base64');
}

/** `prefix` followed by the zero-padded index, KEY_BYTES long (k0000042). */
export function keyName(prefix: string, index: number): string {
  const digits = KEY_BYTES - prefix.length;
  const text = String(index);
  if (!Number.isSafeInteger(index) || index < 0 || text.length > digits) throw new RangeError(`key index ${index} does not fit in ${digits} digits`);
  return prefix + text.padStart(digits, '0');
}

/** Keys of the put, read and fill workloads. */
export function dataKey(index: number): string {
  return b64(keyName('k', index));
}

/** One key per compare-and-swap client, so a failed compare means something is wrong rather than contention. */
export function casKey(client: number): string {
  return b64(keyName('c', client));
}

/** A fixed value whose bytes vary, so nothing along the way can shortcut a run of equal bytes. */
export const VALUE_B64 = b64(Buffer.from(Array.from({ length: VALUE_BYTES }, (_, i) => (i * 131 + 7) % 256)));

export function putBody(key: string): string {
  return `{"key":"${key}","value":"${VALUE_B64}"}`;
}

export function rangeBody(key: string, serializable: boolean): string {
  return serializable ? `{"key":"${key}","serializable":true}` : `{"key":"${key}"}`;
}

/** Put the value if the key was last modified at `modRevision` (0: absent); otherwise read it to learn its revision. */
export function casTxnBody(key: string, modRevision: number): string {
  return (
    `{"compare":[{"key":"${key}","target":"MOD","result":"EQUAL","mod_revision":"${modRevision}"}],` +
    `"success":[{"request_put":{"key":"${key}","value":"${VALUE_B64}"}}],` +
    `"failure":[{"request_range":{"key":"${key}"}}]}`
  );
}

export function fillTxnBody(keys: string[]): string {
  return `{"success":[${keys.map((k) => `{"request_put":{"key":"${k}","value":"${VALUE_B64}"}}`).join(',')}]}`;
}

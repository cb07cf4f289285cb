// The UCloud API signature (also used by SurferCloud, which runs on UCloud's API gateway). The gateway
// recomputes it from the parameters it receives, so the value encoding here must match what is sent byte
// for byte: a "True" sent where "true" was signed fails as RetCode 171, indistinguishable from a wrong key.
import { nodeCrypto } from '../lazy-builtins.ts';

export type UCloudParams = Record<string, string | number | boolean>;

/** A parameter value as the gateway reads it: booleans as true/false, integral numbers without ".0". */
export function ucloudValue(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`cannot sign a non-finite number: ${value}`);
    return Number.isInteger(value) ? value.toFixed(0) : String(value);
  }
  return value;
}

/**
 * The string that gets hashed: every parameter except Signature, sorted by name in byte order (uppercase
 * before lowercase), name and value concatenated with no separators or escaping, then the private key.
 */
export function ucloudStringToSign(params: UCloudParams, privateKey: string): string {
  const names = Object.keys(params)
    .filter((name) => name !== 'Signature')
    // Byte order of the UTF-8 names, which differs from JS string order only outside the BMP.
    .sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  let out = '';
  for (const name of names) out += name + ucloudValue(params[name] as string | number | boolean);
  return out + privateKey;
}

/** Hex SHA-1 of the string to sign; include PublicKey in `params`. */
export function ucloudSignature(params: UCloudParams, privateKey: string): string {
  return nodeCrypto().createHash('sha1').update(ucloudStringToSign(params, privateKey), 'utf8').digest('hex');
}

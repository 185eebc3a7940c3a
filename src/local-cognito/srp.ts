// The server side of Cognito's SRP-6a (USER_SRP_AUTH and device SRP): verifiers, the server's B, and the claim
// signature a client must send, over the maths shared with the sign-in (src/srp-math.ts).
import { randomBytes } from 'node:crypto';
import {
  claimSignature,
  fromHex,
  G,
  K,
  modPow,
  N,
  padHex,
  parseHex,
  passwordX,
  scrambler,
  sessionKey,
} from '../srp-math.ts';

export { parseHex, srpPoolName, TIMESTAMP_FORMAT } from '../srp-math.ts';

/**
 * The password verifier of `<prefix><id>:<password>` (prefix: the pool's name after the region's `_`, or a
 * device group key; id: the internal username, or a device key), with a fresh salt: what Cognito keeps instead
 * of a password for SRP, and what ConfirmDevice is given for a device.
 */
export function makeVerifier(
  prefix: string,
  id: string,
  password: string,
): { salt: string; verifier: string } {
  const salt = padHex(fromHex(randomBytes(16).toString('hex')));
  return { salt, verifier: padHex(modPow(G, passwordX(salt, prefix, id, password), N)) };
}

/** A stand-in salt and verifier derived from `seed` (for names no user has: the same name, the same answer). */
export function fakeVerifier(seed: Buffer): { salt: string; verifier: string } {
  const salt = padHex(fromHex(seed.subarray(0, 16).toString('hex')));
  return { salt, verifier: padHex(modPow(G, fromHex(seed.toString('hex')), N)) };
}

/** The server's half of one SRP exchange: its secret `b` and public `B`, for a verifier. */
export interface ServerExchange {
  /** The client's public value A, hex. */
  A: string;
  b: string;
  B: string;
}

/** Starts an exchange for the client's `A`; undefined when A is 0 mod N (the protocol's abort). */
export function startExchange(verifierHex: string, aHex: string): ServerExchange | undefined {
  const A = parseHex(aHex);
  if (A === undefined || A % N === 0n) return undefined;
  const v = fromHex(verifierHex);
  for (;;) {
    const b = fromHex(randomBytes(32).toString('hex'));
    const B = (K * v + modPow(G, b, N)) % N;
    if (B === 0n) continue;
    return { A: padHex(A), b: b.toString(16), B: padHex(B) };
  }
}

/**
 * The claim signature the client must send: HMAC-SHA256 under the session key over
 * `<prefix><id><secret block bytes><timestamp>`, base64. Undefined when u is 0 (the protocol's abort).
 */
export function expectedSignature(
  exchange: ServerExchange,
  verifierHex: string,
  prefix: string,
  id: string,
  secretBlock: string,
  timestamp: string,
): string | undefined {
  const A = fromHex(exchange.A);
  const u = scrambler(A, fromHex(exchange.B));
  if (u === 0n) return undefined;
  const v = fromHex(verifierHex);
  const S = modPow((A * modPow(v, u, N)) % N, fromHex(exchange.b), N);
  return claimSignature(sessionKey(S, u), prefix, id, secretBlock, timestamp);
}

// The server side of Cognito's SRP-6a (USER_SRP_AUTH and device SRP): the 3072-bit group of RFC 5054, SHA-256,
// k = H(N | g), Cognito's padding and its HKDF ("Caldera Derived Key"). Big-number arithmetic is the
// language's own BigInt with bigint-mod-arith's modular exponentiation; hashing and HKDF are Node's crypto.
import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { modPow } from 'bigint-mod-arith';

const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
  '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
  'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';

/** The group's prime (RFC 5054's 3072-bit group, Cognito's) and generator. */
export const N = BigInt(`0x${N_HEX}`);
export const G = 2n;

/**
 * A positive integer as Cognito writes it in hex: even length, and a leading `00` when the top bit is set
 * (the two's-complement bytes of Java's BigInteger), which is what every hash below is taken over.
 */
export function padHex(value: bigint): string {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  else if ('89abcdef'.includes(hex[0]!)) hex = `00${hex}`;
  return hex;
}

const sha256Hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
/** SHA-256 of the bytes a hex string spells, as hex. */
const hexHash = (hex: string): string => sha256Hex(Buffer.from(hex, 'hex'));
const fromHex = (hex: string): bigint => BigInt(`0x${hex}`);

const K = fromHex(hexHash(padHex(N) + padHex(G)));

/** Parses a hex number sent by a client; undefined when it is not one. */
export function parseHex(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F]{1,2048}$/.test(text)) return undefined;
  return fromHex(text);
}

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
  const x = fromHex(hexHash(salt + sha256Hex(`${prefix}${id}:${password}`)));
  return { salt, verifier: padHex(modPow(G, x, N)) };
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
  const B = fromHex(exchange.B);
  const u = fromHex(hexHash(padHex(A) + padHex(B)));
  if (u === 0n) return undefined;
  const v = fromHex(verifierHex);
  const S = modPow((A * modPow(v, u, N)) % N, fromHex(exchange.b), N);
  const key = Buffer.from(
    hkdfSync(
      'sha256',
      Buffer.from(padHex(S), 'hex'),
      Buffer.from(padHex(u), 'hex'),
      'Caldera Derived Key',
      16,
    ),
  );
  return createHmac('sha256', key)
    .update(
      Buffer.concat([
        Buffer.from(`${prefix}${id}`),
        Buffer.from(secretBlock, 'base64'),
        Buffer.from(timestamp),
      ]),
    )
    .digest('base64');
}

/** Cognito's TIMESTAMP: `EEE MMM d HH:mm:ss UTC yyyy`, English names, the day not zero-padded. */
export const TIMESTAMP_FORMAT =
  /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d UTC \d{4}$/;

/** The pool's name as SRP uses it: the part of its id after the region's underscore. */
export const srpPoolName = (poolId: string): string => poolId.slice(poolId.indexOf('_') + 1);

/** A stand-in salt and verifier derived from `seed` (for names no user has: the same name, the same answer). */
export function fakeVerifier(seed: Buffer): { salt: string; verifier: string } {
  const salt = padHex(fromHex(seed.subarray(0, 16).toString('hex')));
  return { salt, verifier: padHex(modPow(G, fromHex(seed.toString('hex')), N)) };
}

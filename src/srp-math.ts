// Cognito's SRP-6a maths, shared by the sign-in (the client's side, src/cognito/srp.ts) and the local emulator (the
// server's side, src/local-cognito/srp.ts): the 3072-bit group of RFC 5054, SHA-256, k = H(N | g), Cognito's padding,
// the password's x, and the session key by HKDF ("Caldera Derived Key"). Numbers are the language's own BigInt,
// with bigint-mod-arith's modular exponentiation: a sign-in's three exponentiations take milliseconds, where the
// BigInteger library of the JavaScript SRP clients takes a fifth of a second of the event loop.
import { createHash, createHmac, hkdfSync } from 'node:crypto';
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

export { modPow };

/**
 * A positive integer as Cognito writes it in hex: even length, and a leading `00` when the top bit is set
 * (the two's-complement bytes of Java's BigInteger), which is what every hash is taken over.
 */
export function padHex(value: bigint): string {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  else if ('89abcdef'.includes(hex[0]!)) hex = `00${hex}`;
  return hex;
}

export const sha256Hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
/** SHA-256 of the bytes a hex string spells, as hex. */
export const hexHash = (hex: string): string => sha256Hex(Buffer.from(hex, 'hex'));
export const fromHex = (hex: string): bigint => BigInt(`0x${hex}`);

/** The multiplier k = H(N | g). */
export const K = fromHex(hexHash(padHex(N) + padHex(G)));

/** Parses a hex number from the other side; undefined when it is not one (or longer than any value here). */
export function parseHex(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F]{1,2048}$/.test(text)) return undefined;
  return fromHex(text);
}

/**
 * x = H(salt | H(`<prefix><id>:<password>`)): prefix the pool's name after the region's `_` (or a device group key),
 * id the internal username (or a device key).
 */
export function passwordX(saltHex: string, prefix: string, id: string, password: string): bigint {
  return fromHex(hexHash(padHex(fromHex(saltHex)) + sha256Hex(`${prefix}${id}:${password}`)));
}

/** u = H(A | B): the exchange's scrambling parameter. */
export const scrambler = (A: bigint, B: bigint): bigint => fromHex(hexHash(padHex(A) + padHex(B)));

/** The 16-byte session key from the shared secret S and u, by HKDF-SHA256 with Cognito's info string. */
export function sessionKey(S: bigint, u: bigint): Buffer {
  const ikm = Buffer.from(padHex(S), 'hex');
  const salt = Buffer.from(padHex(u), 'hex');
  return Buffer.from(hkdfSync('sha256', ikm, salt, 'Caldera Derived Key', 16));
}

/** The claim signature: HMAC-SHA256 under the session key over `<prefix><id><secret block bytes><timestamp>`. */
export function claimSignature(
  key: Buffer,
  prefix: string,
  id: string,
  secretBlock: string,
  timestamp: string,
): string {
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

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** Cognito's TIMESTAMP: `EEE MMM d HH:mm:ss UTC yyyy`, English names, the day not zero-padded. */
export function srpTimestamp(at: Date): string {
  const time = `${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())}`;
  return `${DAYS[at.getUTCDay()]} ${MONTHS[at.getUTCMonth()]} ${at.getUTCDate()} ${time} UTC ${at.getUTCFullYear()}`;
}

/** What TIMESTAMP must look like. */
export const TIMESTAMP_FORMAT =
  /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d UTC \d{4}$/;

/** The pool's name as SRP uses it: the part of its id after the region's underscore. */
export const srpPoolName = (poolId: string): string => poolId.slice(poolId.indexOf('_') + 1);

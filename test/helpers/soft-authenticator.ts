// A software WebAuthn authenticator for tests: ES256 (P-256) passkeys made with node:crypto, answering creation
// options with a 'none'-attestation RegistrationResponseJSON and request options with a signed
// AuthenticationResponseJSON, as a browser would hand them to the page. The CBOR it needs is encoded by hand.
// Knobs let a test break one thing at a time (origin, RP id, challenge, user verification, counter, signature).
import { createHash, createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

/** One passkey the authenticator holds. */
export interface SoftCredential {
  /** base64url */
  id: string;
  rpId: string;
  /** base64url, as the creation options' user.id */
  userHandle: string;
  privateKey: KeyObject;
  /** The signature counter, incremented before each assertion. */
  counter: number;
}

/** Breaks one part of a ceremony on purpose. */
export interface Overrides {
  /** clientDataJSON's origin (default: the origin given). */
  origin?: string;
  /** clientDataJSON's challenge (default: the options'). */
  challenge?: string;
  /** The RP id hashed into authenticatorData (default: the options'/credential's). */
  rpId?: string;
  /** The UV flag (default: the authenticator's `userVerifying`). */
  userVerified?: boolean;
  /** The signature counter sent (assertions; default: the credential's next one). */
  counter?: number;
  /** Flip a bit of the signature (assertions). */
  tamperSignature?: boolean;
}

// ---- minimal CBOR (RFC 8949) encoder: unsigned/negative integers, byte and text strings, maps ----

type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>;

function head(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  if (length < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(length, 1);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(length, 1);
  return b;
}

export function cborEncode(value: Cbor): Buffer {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error('only integers');
    return value >= 0 ? head(0, value) : head(1, -1 - value);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  const parts: Buffer[] = [head(5, value.size)];
  for (const [k, v] of value) parts.push(cborEncode(k), cborEncode(v));
  return Buffer.concat(parts);
}

// ---- the authenticator ----

const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();
const b64url = (data: Uint8Array): string => Buffer.from(data).toString('base64url');

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

/** The credential's public key as a COSE_Key (EC2, ES256, P-256). */
function coseKey(privateKey: KeyObject): Buffer {
  const jwk = privateKey.export({ format: 'jwk' });
  return cborEncode(
    new Map<Cbor, Cbor>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ]),
  );
}

function authenticatorData(rpId: string, flags: number, counter: number, attested?: Buffer): Buffer {
  const count = Buffer.alloc(4);
  count.writeUInt32BE(counter >>> 0);
  return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, ...(attested ? [attested] : [])]);
}

const clientData = (type: string, challenge: string, origin: string): Buffer =>
  Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];
  /** Whether the authenticator performs user verification (sets UV). */
  userVerifying: boolean;
  /** The AAGUID it reports (16 bytes; zeros, as with 'none' attestation, by default). */
  aaguid: Buffer;

  constructor(options: { userVerifying?: boolean; aaguid?: Buffer } = {}) {
    this.userVerifying = options.userVerifying ?? true;
    this.aaguid = options.aaguid ?? Buffer.alloc(16);
  }

  /**
   * navigator.credentials.create(): a new passkey for the options' RP and user. Throws InvalidStateError when
   * one of this authenticator's credentials is in excludeCredentials, as browsers do.
   */
  register(
    options: PublicKeyCredentialCreationOptionsJSON,
    origin: string,
    overrides: Overrides = {},
  ): { response: RegistrationResponseJSON; credential: SoftCredential } {
    const rpId = options.rp.id ?? new URL(origin).hostname;
    const excluded = new Set((options.excludeCredentials ?? []).map((c) => c.id));
    if (this.credentials.some((c) => c.rpId === rpId && excluded.has(c.id))) {
      throw Object.assign(new Error('The authenticator already holds an excluded credential.'), {
        name: 'InvalidStateError',
      });
    }
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const rawId = randomBytes(16);
    const credential: SoftCredential = {
      id: b64url(rawId),
      rpId,
      userHandle: options.user.id,
      privateKey,
      counter: 0,
    };
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(rawId.length);
    const attested = Buffer.concat([this.aaguid, idLength, rawId, coseKey(privateKey)]);
    const uv = overrides.userVerified ?? this.userVerifying;
    const authData = authenticatorData(
      overrides.rpId ?? rpId,
      FLAG_UP | (uv ? FLAG_UV : 0) | FLAG_AT,
      credential.counter,
      attested,
    );
    const attestationObject = cborEncode(
      new Map<Cbor, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    const data = clientData(
      'webauthn.create',
      overrides.challenge ?? options.challenge,
      overrides.origin ?? origin,
    );
    this.credentials.push(credential);
    return {
      credential,
      response: {
        id: credential.id,
        rawId: credential.id,
        type: 'public-key',
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
        response: {
          clientDataJSON: b64url(data),
          attestationObject: b64url(attestationObject),
          transports: ['internal', 'hybrid'],
        },
      },
    };
  }

  /**
   * navigator.credentials.get(): an assertion by `credential` (default: the first of ours the options allow, or any
   * for the RP when they allow all).
   */
  authenticate(
    options: PublicKeyCredentialRequestOptionsJSON,
    origin: string,
    overrides: Overrides & { credential?: SoftCredential } = {},
  ): AuthenticationResponseJSON {
    const rpId = options.rpId ?? new URL(origin).hostname;
    const allowed = new Set((options.allowCredentials ?? []).map((c) => c.id));
    const credential =
      overrides.credential ??
      this.credentials.find((c) => c.rpId === rpId && (allowed.size === 0 || allowed.has(c.id)));
    if (!credential) {
      throw Object.assign(new Error('No passkey for this site.'), { name: 'NotAllowedError' });
    }
    return this.assert(credential, options.challenge, origin, overrides);
  }

  /** An assertion by `credential` over `challenge` from `origin`. */
  assert(
    credential: SoftCredential,
    challenge: string,
    origin: string,
    overrides: Overrides = {},
  ): AuthenticationResponseJSON {
    if (overrides.counter === undefined) credential.counter += 1;
    const uv = overrides.userVerified ?? this.userVerifying;
    const authData = authenticatorData(
      overrides.rpId ?? credential.rpId,
      FLAG_UP | (uv ? FLAG_UV : 0),
      overrides.counter ?? credential.counter,
    );
    const data = clientData('webauthn.get', overrides.challenge ?? challenge, overrides.origin ?? origin);
    const signature = createSign('sha256')
      .update(Buffer.concat([authData, sha256(data)]))
      .sign(credential.privateKey);
    if (overrides.tamperSignature) {
      const last = signature.length - 1;
      signature.writeUInt8(signature.readUInt8(last) ^ 0x01, last);
    }
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: b64url(data),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
    };
  }
}

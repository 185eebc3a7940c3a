// An asserter with a key made for this process only: for a single instance with no IDENTITY_SIGNING_KEYS, and tests.
import { generateKeyPairSync } from 'node:crypto';
import type { JSONWebKeySet } from 'jose';
import {
  cognitoIssuer,
  createIdentityAsserter,
  defaultSignerArn,
  type AssertionSettings,
  type IdentityAsserter,
} from './assertion.ts';
import { loadSigningKeys } from './signing-keys.ts';

/** A fresh P-256 private key, PEM (PKCS#8). */
export function newSigningKeyPem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
}

/**
 * The key is made now; the asserter is built on first use (key import is asynchronous), so this can be called
 * where nothing may wait. Until then no key is published. Another instance cannot verify what this one signs.
 */
export function ephemeralAsserter(settings: AssertionSettings): IdentityAsserter {
  const pem = newSigningKeyPem();
  let built: IdentityAsserter | undefined;
  const ready = loadSigningKeys({ privateKeysPem: [pem] }, 'ephemeral key').then((keys) => {
    built = createIdentityAsserter(keys, settings);
    return built;
  });
  return {
    assertionFor: (identity, extras) => ready.then((a) => a.assertionFor(identity, extras)),
    signedAssertion: (identity, extras) => ready.then((a) => a.signedAssertion(identity, extras)),
    publicJwks: (): JSONWebKeySet => built?.publicJwks() ?? { keys: [] },
    publicPem: (kid) => built?.publicPem(kid),
    signer: settings.signerArn ?? defaultSignerArn(settings.region),
    issuer: cognitoIssuer(settings.region, settings.userPoolId),
  };
}

// Refreshes an expired access token once, however many requests of the same session ask at the same time.
import type { CognitoGateway } from '../cognito/gateway.ts';
import type { TokenVerifier } from '../cognito/verifier.ts';
import { toAuthState, type AuthState } from './auth-session.ts';

/** How long a finished refresh answers for its old refresh token: longer than any request takes. */
const REMEMBER_MS = 60_000;

export interface TokenRefresher {
  /** New tokens for `auth`; concurrent calls for the same refresh token share one Cognito call. Throws AuthError. */
  refresh(auth: AuthState): Promise<AuthState>;
}

export function createTokenRefresher(cognito: CognitoGateway, verifier: TokenVerifier): TokenRefresher {
  const inFlight = new Map<string, Promise<AuthState>>();
  return {
    refresh(auth) {
      const pending = inFlight.get(auth.refreshToken);
      if (pending) return pending;
      const promise = (async () => {
        // The SECRET_HASH of a refresh is over Cognito's internal username, kept at sign-in.
        const tokens = await cognito.refresh(auth.username, auth.refreshToken, auth.deviceKey);
        const identity = await verifier.verify(tokens.idToken, tokens.accessToken);
        return toAuthState(
          tokens,
          identity,
          tokens.refreshToken ?? auth.refreshToken,
          auth.signedInAt,
          auth.via,
        );
      })();
      inFlight.set(auth.refreshToken, promise);
      // A request that read the session before this refresh was saved asks again with the same refresh token:
      // it gets this answer, not a second Cognito call, for as long as such a request can be in flight.
      const forget = () => {
        setTimeout(() => {
          if (inFlight.get(auth.refreshToken) === promise) inFlight.delete(auth.refreshToken);
        }, REMEMBER_MS).unref();
      };
      promise.then(forget, () => inFlight.delete(auth.refreshToken));
      return promise;
    },
  };
}

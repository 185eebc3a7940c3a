// Refreshes an expired access token once, however many requests of the same session ask at the same time.
import type { CognitoGateway } from '../cognito/gateway.ts';
import type { TokenVerifier } from '../cognito/verifier.ts';
import { toAuthState, type AuthState } from './auth-session.ts';

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
        const tokens = await cognito.refresh(auth.username, auth.refreshToken);
        const identity = await verifier.verify(tokens.idToken, tokens.accessToken);
        return toAuthState(
          tokens,
          identity,
          tokens.refreshToken ?? auth.refreshToken,
          auth.signedInAt,
          auth.via,
        );
      })().finally(() => inFlight.delete(auth.refreshToken));
      inFlight.set(auth.refreshToken, promise);
      return promise;
    },
  };
}

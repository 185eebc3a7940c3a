// Synchronizer tokens for CSRF defence: 256 random bits each.
import { randomBytes } from 'node:crypto';

export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

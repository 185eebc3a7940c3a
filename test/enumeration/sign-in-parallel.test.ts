// Sign-in, in parallel bursts: a wrong password for a real account and any password for an unknown one look and
// take alike, also when a burst crosses the limit of failures in a row.
import { parallelSuite } from './parallel.ts';

parallelSuite('sign-in: unknown user and wrong password', {
  path: '/login',
  fields: (name) => ({ username: name, password: 'Wrong-password-1' }),
});

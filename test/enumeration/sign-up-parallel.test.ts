// Sign-up, in parallel bursts: a taken email and a free one look and take alike, also when a burst crosses the
// limits of codes and requests per address.
import { parallelSuite } from './parallel.ts';

parallelSuite('sign-up: a taken email and a free one', {
  path: '/signup',
  fields: (name) => ({ email: name, name: 'Some One', password: 'Sunny-day-42' }),
  next: '/confirm',
});

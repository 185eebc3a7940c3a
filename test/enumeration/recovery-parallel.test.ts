// Password recovery, in parallel bursts: an unknown account and a known one look and take alike, also when a burst
// crosses the limits of codes and requests per address. The burst with roomy limits is in
// recovery-parallel-burst.test.ts (see there).
import { parallelSuite } from './parallel.ts';

const recoveryForm = {
  path: '/forgot-password',
  fields: (name: string) => ({ email: name }),
  next: '/reset-password',
};

parallelSuite('recovery: an unknown account and a known one', recoveryForm, { roomyBurst: false });

// What the built-in proxy tells its caller about each request, once: the app's status as soon as its answer starts,
// 499 when the client left first, 504 when the app sent no headers within the deadline (never before it, and never
// cutting off a body that streams past it), 502 when the app cannot be reached.
import assert from 'node:assert/strict';
import { createServer, request, type Server, type ServerResponse } from 'node:http';
import { after, before, test } from 'node:test';
import type { UpstreamFailure } from '../../src/protect/upstream-proxy.ts';
import { startProxyFront, type ProxyFront } from '../helpers/proxy-front.ts';

const DEADLINE_MS = 300;

/** The app: `/status/N` answers N; `/late/N` answers 200 after N ms; `/stream` sends its headers, then a chunk every 200 ms, 4 in all; `/hang` never answers. */
const appClosed: string[] = [];
const app: Server = createServer((req, res) => {
  req.on('close', () => appClosed.push(req.url!));
  if (req.url!.startsWith('/status/')) return res.writeHead(Number(req.url!.slice(8))).end('ok');
  if (req.url!.startsWith('/late/')) {
    setTimeout(() => res.writeHead(200).end('late'), Number(req.url!.slice(6)));
    return;
  }
  if (req.url === '/stream') return stream(res, 4);
  // /hang: nothing, ever.
});

/** Sends headers, then the lines 0 to `lines` - 1, one every 200 ms. */
function stream(res: ServerResponse, lines: number): void {
  res.writeHead(200, { 'content-type': 'text/plain' });
  let n = 0;
  const timer = setInterval(() => {
    res.write(`${n}\n`);
    if (++n === lines) {
      clearInterval(timer);
      res.end();
    }
  }, 200);
}

interface Told {
  failure: UpstreamFailure | undefined;
  status: number;
  afterMs: number;
}
let told: Told[] = [];
let front: ProxyFront;
let url = '';

before(async () => {
  front = await startProxyFront(app, DEADLINE_MS, {
    headers: { 'x-auth-request-email': 'a@example.com' },
    told: (failure, status, afterMs) => told.push({ failure, status, afterMs }),
  });
  url = front.url;
});
after(() => front.close());

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("the app's own status, told once, as soon as its answer starts", async () => {
  for (const status of [200, 201, 404, 500, 502]) {
    told = [];
    const res = await fetch(`${url}/status/${status}`);
    assert.equal(res.status, status);
    await res.text();
    await settle(20);
    assert.deepEqual(
      told.map((t) => [t.failure, t.status]),
      [[undefined, status]],
      'an app answering 502 is not a failure of ours',
    );
  }
});

test('a streamed answer is told when it starts and streams on past the deadline, uncut', async () => {
  told = [];
  const res = await fetch(`${url}/stream`);
  assert.equal(told.length, 1, 'told before the body ends');
  assert.deepEqual([told[0]!.failure, told[0]!.status], [undefined, 200]);
  assert.equal(await res.text(), '0\n1\n2\n3\n', '800 ms of body, past the 300 ms deadline');
  await settle(2 * DEADLINE_MS);
  assert.equal(told.length, 1, 'told once');
});

test('an app that sends no headers in time: 504, not before the deadline, and its request is ended', async () => {
  told = [];
  appClosed.length = 0;
  const res = await fetch(`${url}/hang`);
  assert.equal(res.status, 504);
  assert.equal(told.length, 1);
  assert.equal(told[0]!.failure, 504);
  assert.ok(told[0]!.afterMs >= DEADLINE_MS - 5, `told after ${told[0]!.afterMs} ms`);
  assert.ok(told[0]!.afterMs < DEADLINE_MS * 3, `told after ${told[0]!.afterMs} ms`);
  await settle(50);
  assert.deepEqual(appClosed, ['/hang']);
});

test('a client that leaves before the app answers is told as 499, once, and the request to the app is ended', async () => {
  told = [];
  appClosed.length = 0;
  await new Promise<void>((resolve) => {
    const req = request(`${url}/hang`);
    req.on('error', () => resolve());
    req.end();
    setTimeout(() => req.destroy(), 50);
  });
  await settle(DEADLINE_MS * 2);
  assert.deepEqual(
    told.map((t) => [t.failure, t.status]),
    [[undefined, 499]],
  );
  assert.deepEqual(appClosed, ['/hang']);
});

test('many requests waiting at once: each is told once, with its own outcome, whatever order they end in', async () => {
  told = [];
  appClosed.length = 0;
  // Answered at once, answered within the deadline at different moments, never answered, and a client that leaves:
  // requests leave the waiting list from its middle, its end and the sweep, in every order.
  const leaver = new Promise<number>((resolve) => {
    const req = request(`${url}/hang`);
    req.on('error', () => resolve(499));
    req.end();
    setTimeout(() => req.destroy(), 30);
  });
  const asked = [
    ...['/hang', '/late/50', '/status/200', '/hang', '/late/150', '/status/201', '/late/100', '/hang'].map(
      (path) => fetch(`${url}${path}`).then(async (res) => (await res.text(), res.status)),
    ),
    leaver,
  ];
  const statuses = await Promise.all(asked);
  assert.deepEqual(statuses, [504, 200, 200, 504, 200, 201, 200, 504, 499]);
  await settle(DEADLINE_MS * 2);
  assert.deepEqual(
    told.map((t) => t.status).sort(),
    [200, 200, 200, 200, 201, 499, 504, 504, 504],
    'each told once',
  );
  for (const t of told.filter((t) => t.status === 504)) {
    assert.ok(t.afterMs >= DEADLINE_MS - 5 && t.afterMs < DEADLINE_MS * 3, `504 after ${t.afterMs} ms`);
  }
  assert.equal(
    appClosed.filter((path) => path === '/hang').length,
    4,
    'every unanswered request to the app ended',
  );
});

test('a request still waiting for a connection when its deadline passes: 504, and the app never gets it', async () => {
  // One connection, busy with a body that streams for 1.6 s, past the deadline: the second request waits behind it.
  const seen: string[] = [];
  const busy = createServer((req, res) => {
    seen.push(req.url!);
    stream(res, 8);
  });
  const outcomes: [UpstreamFailure | undefined, number, number][] = [];
  const one = await startProxyFront(busy, DEADLINE_MS, {
    connections: 1,
    told: (failure, status, afterMs) => outcomes.push([failure, status, afterMs]),
  });
  try {
    const first = await fetch(`${one.url}/streaming`);
    const second = await fetch(`${one.url}/waiting`);
    assert.equal(second.status, 504);
    assert.equal(await first.text(), '0\n1\n2\n3\n4\n5\n6\n7\n', 'the stream is not cut');
    await settle(50);
    assert.deepEqual(
      outcomes.map(([failure, status]) => [failure, status]),
      [
        [undefined, 200],
        [504, 504],
      ],
    );
    const after = outcomes[1]![2];
    assert.ok(
      after >= DEADLINE_MS - 5 && after < DEADLINE_MS * 3,
      `504 after ${after} ms, not when the stream ends`,
    );
    assert.deepEqual(seen, ['/streaming'], 'the waiting request was never sent');
  } finally {
    one.close();
  }
});

test('an app that cannot be reached: 502, told once', async () => {
  // An app that listened once and is gone: nothing answers on its port.
  const gone = createServer();
  const outcomes: [UpstreamFailure | undefined, number][] = [];
  const down = await startProxyFront(gone, DEADLINE_MS, {
    told: (failure, status) => outcomes.push([failure, status]),
  });
  await new Promise<void>((resolve) => gone.close(() => resolve()));
  try {
    const res = await fetch(`${down.url}/`);
    assert.equal(res.status, 502);
    await settle(DEADLINE_MS * 2);
    assert.deepEqual(outcomes, [[502, 502]]);
  } finally {
    down.close();
  }
});

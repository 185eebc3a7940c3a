// Standalone entry (`npm run local-cognito`): runs the emulator with the seeded local pool until SIGINT/SIGTERM.
import { startLocalCognito } from './index.ts';

const stderrLogger = {
  info: (msg: string, data?: object) =>
    process.stderr.write(`${msg}${data ? ` ${JSON.stringify(data)}` : ''}\n`),
  warn: (msg: string, data?: object) =>
    process.stderr.write(`WARN ${msg}${data ? ` ${JSON.stringify(data)}` : ''}\n`),
};

const port = Number(process.env.LOCAL_COGNITO_PORT ?? 9229);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`LOCAL_COGNITO_PORT must be a port number, got ${process.env.LOCAL_COGNITO_PORT}\n`);
  process.exit(1);
}
// Fixed ids let app instances be configured before the emulator runs (docker compose); checked like Cognito's.
const localPoolIds = {
  userPoolId: fixedId(
    'LOCAL_COGNITO_POOL_ID',
    /^us-east-1_[0-9A-Za-z]{1,55}$/,
    'a pool id such as us-east-1_AbC123xyz',
  ),
  clientId: fixedId('LOCAL_COGNITO_CLIENT_ID', /^[0-9a-z]{1,128}$/, 'lowercase letters and digits'),
  clientSecret: fixedId(
    'LOCAL_COGNITO_CLIENT_SECRET',
    /^[0-9A-Za-z+/=_-]{16,128}$/,
    '16-128 letters and digits',
  ),
};

function fixedId(name: string, shape: RegExp, what: string): string | undefined {
  const value = process.env[name]?.trim();
  if (!value) return undefined;
  if (!shape.test(value)) {
    process.stderr.write(`${name} must be ${what}\n`);
    process.exit(1);
  }
  return value;
}

const emu = await startLocalCognito({
  localPoolIds,
  host: process.env.LOCAL_COGNITO_HOST ?? '127.0.0.1',
  port,
  dataDir: process.env.LOCAL_COGNITO_DIR ?? '.local-cognito',
  logger: stderrLogger,
  onMessage: (m) => process.stdout.write(`${m.kind} code ${m.code} sent to ${m.to}\n`),
});
const pool = await emu.ensureLocalPool();
process.stdout.write(
  [
    `Local Cognito emulator listening on ${emu.endpoint}`,
    `  region         ${pool.region}`,
    `  user pool id   ${pool.userPoolId}`,
    `  client id      ${pool.clientId}`,
    `  client secret  ${pool.clientSecret}`,
    `  demo user      ${pool.demoUser.email} / ${pool.demoUser.password}`,
    `  inbox          ${emu.endpoint}/_local/inbox`,
    '',
  ].join('\n'),
);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  emu.close().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`local-cognito: close failed: ${String(err)}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

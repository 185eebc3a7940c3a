// test/helpers/fastapi_app.py under uvicorn on a free loopback port: a FastAPI app reading the identity headers as
// co-cddo's cognito-auth apps do. Needs a Python with FastAPI, uvicorn and PyJWT (Debian's python3-fastapi,
// python3-uvicorn, python3-jwt); the machine's default python3 may be another one (pyenv), so several are tried.
import { fileURLToPath } from 'node:url';
import { findExecutable, runsOk, startService, toolMissing } from './service-process.ts';

const APP_DIR = fileURLToPath(new URL('.', import.meta.url));
const MODULES = 'import fastapi, uvicorn, jwt, cryptography';

let found: string | null | undefined;

/** The first Python that imports FastAPI, uvicorn and PyJWT: $FASTAPI_PYTHON, /usr/bin/python3, python3 on PATH. */
export function fastapiPython(): string | undefined {
  if (found === undefined) {
    found = null;
    for (const candidate of [process.env.FASTAPI_PYTHON, '/usr/bin/python3', 'python3']) {
      const python = findExecutable([candidate]);
      if (python && runsOk(python, ['-c', MODULES])) {
        found = python;
        break;
      }
    }
  }
  return found ?? undefined;
}

/** Why the FastAPI tests cannot run here, or undefined. Throws in CI. */
export function fastapiMissing(): string | undefined {
  return toolMissing(
    fastapiPython(),
    'no Python with FastAPI, uvicorn and PyJWT (tried $FASTAPI_PYTHON, /usr/bin/python3, python3 on PATH): the FastAPI upstream tests cannot run. Install them with `apt-get install python3-fastapi python3-uvicorn python3-jwt python3-cryptography`',
  );
}

export interface FastApiApp {
  readonly url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the app on 127.0.0.1:`port`; it verifies `x-amzn-oidc-data` with the PEM keys under `albKeysUrl`
 * (`<base>/auth/auth/keys`) and the access token with the JWKS at `cognitoJwksUrl`. A port taken by someone else
 * rejects with PortTakenError.
 */
export async function startFastApi(
  port: number,
  keys: { albKeysUrl: string; cognitoJwksUrl: string },
): Promise<FastApiApp> {
  const service = await startService({
    name: 'uvicorn',
    command: fastapiPython()!,
    args: [
      '-m',
      'uvicorn',
      'fastapi_app:app',
      '--app-dir',
      APP_DIR,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--no-access-log',
    ],
    env: {
      PATH: process.env.PATH,
      PYTHONDONTWRITEBYTECODE: '1',
      ALB_KEYS_URL: keys.albKeysUrl,
      COGNITO_JWKS_URL: keys.cognitoJwksUrl,
    },
    ready: (output) => output.includes(`Uvicorn running on http://127.0.0.1:${port}`),
    portTaken: (output) => /address already in use/i.test(output),
  });
  return { url: `http://127.0.0.1:${port}`, output: service.output, stop: service.stop };
}

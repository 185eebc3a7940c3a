// DynamoDB for tests: moto_server on a free port (CI must have it), and the tables the server expects, created
// as the README tells an operator to create them.
import { randomBytes } from 'node:crypto';
import { CreateTableCommand, UpdateTimeToLiveCommand, type DynamoDB } from '@aws-sdk/client-dynamodb';
import { findMotoServer, startMotoServer, type MotoServer } from '../conformance/targets.ts';
import { createDynamoDbClient } from '../../src/dynamodb/dynamodb-client.ts';
import type { DynamoDbSettings } from '../../src/dynamodb/dynamodb-settings.ts';
import { TTL_ATTRIBUTE } from '../../src/session/dynamodb-store.ts';

/**
 * Why a DynamoDB suite must skip, or undefined when it can run. Without moto_server it warns loudly; under CI it
 * never skips: `startTestDynamo()` in `before` then fails the run.
 */
export function dynamoSkipReason(): string | undefined {
  if (findMotoServer() || process.env.CI) return undefined;
  const reason = "moto_server is not on PATH (pip install 'moto[server]==5.2.1' to run these tests)";
  process.stderr.write(`\n!!! WARNING: ${reason}: SKIPPING the DynamoDB tests !!!\n\n`);
  return reason;
}

export interface TestDynamo {
  endpoint: string;
  /** Settings for the server's own client, with tables of this run. */
  settings: DynamoDbSettings;
  client: DynamoDB;
  /** Environment for a server using these tables. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts moto_server and creates the session and rate-limit tables (TTL on), with names of their own. */
export async function startTestDynamo(): Promise<TestDynamo> {
  const executable = findMotoServer();
  if (!executable) {
    throw new Error(
      '!!! moto_server is required (CI is set) but is not on PATH: install moto[server]==5.2.1 !!!',
    );
  }
  const moto: MotoServer = await startMotoServer(executable);
  const suffix = randomBytes(4).toString('hex');
  const settings: DynamoDbSettings = {
    region: 'us-east-1',
    table: `sessions-${suffix}`,
    rateLimitTable: `rate-limits-${suffix}`,
    endpoint: moto.endpoint,
    timeoutMs: 5_000,
  };
  const client = createDynamoDbClient(settings, {});
  try {
    await createTables(client, settings);
  } catch (err) {
    client.destroy();
    await moto.stop();
    throw err;
  }
  return {
    endpoint: moto.endpoint,
    settings,
    client,
    env: {
      SESSION_STORE: 'dynamodb',
      DYNAMODB_ENDPOINT: moto.endpoint,
      DYNAMODB_TABLE: settings.table,
      DYNAMODB_RATE_LIMIT_TABLE: settings.rateLimitTable,
    },
    async stop() {
      client.destroy();
      await moto.stop();
    },
  };
}

async function createTables(client: DynamoDB, settings: DynamoDbSettings): Promise<void> {
  for (const [table, key, ttl] of [
    [settings.table, 'pk', TTL_ATTRIBUTE],
    [settings.rateLimitTable, 'key', 'expire'],
  ] as const) {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: table,
        TimeToLiveSpecification: { AttributeName: ttl, Enabled: true },
      }),
    );
  }
}

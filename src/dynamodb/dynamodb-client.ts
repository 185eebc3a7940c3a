// One DynamoDB client for the session store and the rate limiters, failing fast while DynamoDB is away.
import { DynamoDB } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { DynamoDbSettings } from './dynamodb-settings.ts';

/**
 * The client both users need: rate-limiter-flexible's RateLimiterDynamo calls the aggregated `DynamoDB` class's
 * methods (`getItem`, `updateItem`), the session store sends commands; one client serves both.
 * Credentials come from the default chain (environment, the container's or the Lambda function's role). With an
 * endpoint (DynamoDB Local, moto_server) and no credentials in the environment, placeholder ones are used: those
 * emulators accept any.
 */
export function createDynamoDbClient(
  settings: DynamoDbSettings,
  env: Record<string, string | undefined> = process.env,
): DynamoDB {
  const placeholder =
    settings.endpoint !== undefined && !env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE
      ? { accessKeyId: 'local', secretAccessKey: 'local' }
      : undefined;
  return new DynamoDB({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(placeholder ? { credentials: placeholder } : {}),
    // One retry at most: a request gets its 503 within about twice the deadline, never after a long back-off.
    maxAttempts: 2,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: settings.timeoutMs,
      requestTimeout: settings.timeoutMs,
    }),
  });
}

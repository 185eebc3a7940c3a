// How to reach DynamoDB, as the wiring module hands it to the DynamoDB client.

/** Where sessions and rate-limit counters live when SESSION_STORE=dynamodb. */
export interface DynamoDbSettings {
  /** AWS region of the tables (DYNAMODB_REGION, else AWS_REGION, else the user pool's region). */
  region: string;
  /** Sessions, their tombstones and the owner index (DYNAMODB_TABLE): partition key `pk` (string), TTL `expiresAt`. */
  table: string;
  /** Rate-limit counters (DYNAMODB_RATE_LIMIT_TABLE): partition key `key` (string), TTL `expire`. */
  rateLimitTable: string;
  /** DynamoDB Local or moto_server (DYNAMODB_ENDPOINT); refused with NODE_ENV=production. */
  endpoint: string | undefined;
  /** Deadline of one DynamoDB call and of connecting, in milliseconds: an unreachable table fails fast. */
  timeoutMs: number;
}

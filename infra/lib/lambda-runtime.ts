// The server as a Lambda function behind an HTTP API (payload 2.0), with sessions and rate limits in DynamoDB.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { TTL_ATTRIBUTE } from '../../src/session/dynamodb-store.ts';
import { assetOptions, imageParameters, REPOSITORY_ROOT } from './image.ts';
import type { StackSettings } from './settings.ts';

/** The rate-limit table's key and TTL attribute, as rate-limiter-flexible's RateLimiterDynamo writes them. */
export const RATE_LIMIT_KEY = 'key';
export const RATE_LIMIT_TTL = 'expire';

/** The DynamoDB calls of src/session/dynamodb-store.ts. */
export const SESSION_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
/** The DynamoDB calls of RateLimiterDynamo (the table already made: tableCreated, ttlSet). */
export const RATE_LIMIT_ACTIONS = ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];

export class LambdaRuntime extends Construct {
  readonly api: apigw.HttpApi;
  readonly fn: lambda.DockerImageFunction;
  readonly sessions: dynamodb.Table;
  readonly rateLimits: dynamodb.Table;

  constructor(scope: Construct, id: string, settings: StackSettings) {
    super(scope, id);
    // Sessions and counters are disposable: deleting the stack deletes them (everyone is signed out).
    const table = (name: string, key: string, ttl: string) =>
      new dynamodb.Table(this, name, {
        partitionKey: { name: key, type: dynamodb.AttributeType.STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        timeToLiveAttribute: ttl,
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        removalPolicy: RemovalPolicy.DESTROY,
      });
    this.sessions = table('Sessions', 'pk', TTL_ATTRIBUTE);
    this.rateLimits = table('RateLimits', RATE_LIMIT_KEY, RATE_LIMIT_TTL);

    const code =
      settings.image === 'asset'
        ? lambda.DockerImageCode.fromImageAsset(REPOSITORY_ROOT, assetOptions('lambda'))
        : (() => {
            const { repository, tag } = imageParameters(this);
            return lambda.DockerImageCode.fromEcr(repository, { tagOrDigest: tag });
          })();
    this.fn = new lambda.DockerImageFunction(this, 'Server', {
      code,
      architecture: lambda.Architecture.X86_64,
      // More memory is more CPU: the cold start (module load and the first page) is CPU-bound.
      memorySize: 1024,
      // Above COGNITO_TIMEOUT_MS (5 s) with its one retry, so a slow Cognito still gets its 503 page.
      timeout: Duration.seconds(15),
      logGroup: new logs.LogGroup(this, 'Logs', {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      environment: {
        SESSION_STORE: 'dynamodb',
        DYNAMODB_TABLE: this.sessions.tableName,
        DYNAMODB_RATE_LIMIT_TABLE: this.rateLimits.tableName,
      },
    });
    // Exactly the calls the session store and rate-limiter-flexible's RateLimiterDynamo make: no scan, no query,
    // no batch, no table management.
    this.sessions.grant(this.fn, ...SESSION_ACTIONS);
    this.rateLimits.grant(this.fn, ...RATE_LIMIT_ACTIONS);

    this.api = new apigw.HttpApi(this, 'Api', {
      description: 'The login front end',
      defaultIntegration: new HttpLambdaIntegration('Server', this.fn, {
        payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
      }),
    });
  }
}

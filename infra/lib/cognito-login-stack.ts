// The whole deployment: the Cognito user pool and app client, and the server on the runtime the settings choose.
import { CfnCondition, CfnOutput, CfnParameter, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type { CfnApi } from 'aws-cdk-lib/aws-apigatewayv2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { appEnvironment, metricsTokenSecret, sessionKeysSecret } from './app-environment.ts';
import { ContainerRuntime } from './container-runtime.ts';
import { LambdaRuntime } from './lambda-runtime.ts';
import type { StackSettings } from './settings.ts';
import { LoginUserPool } from './user-pool.ts';

export interface CognitoLoginStackProps extends StackProps {
  settings: StackSettings;
}

/**
 * An https origin on the default port, its host in lower case, without a path: what APP_BASE_URL, the app client's
 * URLs and the passkeys' relying party are built from. The server writes its callback URL as `new URL()` does
 * (host lowered, `:443` dropped), and Cognito compares it with the registered one character for character.
 */
export const ORIGIN_PATTERN = '^https://[a-z0-9]([a-z0-9.-]*[a-z0-9])?$';

export class CognitoLoginStack extends Stack {
  constructor(scope: Construct, id: string, props: CognitoLoginStackProps) {
    super(scope, id, props);
    const { settings } = props;
    this.templateOptions.description = `Cognito login front end: user pool, app client and the server (${settings.runtime === 'lambda' ? 'Lambda, HTTP API, DynamoDB' : 'Fargate, load balancer, Redis'})`;

    const domainPrefix = new CfnParameter(this, 'DomainPrefix', {
      type: 'String',
      default: '',
      description:
        'Blank for no hosted UI; otherwise the prefix of the Cognito domain <prefix>.auth.<region>.amazoncognito.com',
      allowedPattern: '^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)?$',
    });
    const sessionKeys = sessionKeysSecret(this);
    const metricsToken = metricsTokenSecret(this);

    if (settings.runtime === 'lambda') {
      const publicUrlParameter = new CfnParameter(this, 'PublicUrl', {
        type: 'String',
        default: '',
        description:
          "The server's public origin (https://login.example.com, lower case, no port or path); blank: the HTTP API's own URL",
        allowedPattern: `(${ORIGIN_PATTERN})|^$`,
      });
      const runtime = new LambdaRuntime(this, 'Lambda', settings);
      const hasPublicUrl = new CfnCondition(this, 'HasPublicUrl', {
        expression: Fn.conditionNot(Fn.conditionEquals(publicUrlParameter.valueAsString, '')),
      });
      const publicUrl = Fn.conditionIf(
        hasPublicUrl.logicalId,
        publicUrlParameter.valueAsString,
        runtime.api.apiEndpoint,
      ).toString();
      // With a public URL (a custom domain mapped to the API), the API's own address is closed: one origin only.
      (runtime.api.node.defaultChild as CfnApi).disableExecuteApiEndpoint = Fn.conditionIf(
        hasPublicUrl.logicalId,
        true,
        false,
      );
      const users = new LoginUserPool(this, 'Users', { settings, publicUrl, domainPrefix });
      for (const [name, value] of Object.entries(appEnvironment(this, settings, users, publicUrl))) {
        runtime.fn.addEnvironment(name, value);
      }
      // Read once at start by the server (src/config/secret-sources.ts): the values never sit in the function.
      runtime.fn.addEnvironment('COGNITO_CLIENT_SECRET_SECRET_ARN', users.clientSecret.ref);
      runtime.fn.addEnvironment('SESSION_KEYS_SECRET_ARN', sessionKeys.secretArn);
      runtime.fn.addEnvironment('METRICS_TOKEN_SECRET_ARN', metricsToken.secretArn);
      sessionKeys.grantRead(runtime.fn);
      metricsToken.grantRead(runtime.fn);
      runtime.fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [users.clientSecret.ref],
        }),
      );
      this.outputs(publicUrl, users);
      new CfnOutput(this, 'ApiUrl', {
        value: runtime.api.apiEndpoint,
        description: "The HTTP API's own URL",
      });
    } else {
      const publicUrlParameter = new CfnParameter(this, 'PublicUrl', {
        type: 'String',
        description:
          "The server's public origin (https://login.example.com): point its DNS name at LoadBalancerDns",
        allowedPattern: ORIGIN_PATTERN,
      });
      const certificateArn = new CfnParameter(this, 'CertificateArn', {
        type: 'String',
        description: "The ACM certificate (in this region) for the public URL's host name",
        allowedPattern: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[A-Za-z0-9-]+$',
      });
      const publicUrl = publicUrlParameter.valueAsString;
      const users = new LoginUserPool(this, 'Users', { settings, publicUrl, domainPrefix });
      const clientSecret = secretsmanager.Secret.fromSecretCompleteArn(
        this,
        'ClientSecretRef',
        users.clientSecret.ref,
      );
      const runtime = new ContainerRuntime(this, 'Container', {
        settings,
        certificateArn: certificateArn.valueAsString,
        environment: appEnvironment(this, settings, users, publicUrl),
        secrets: {
          COGNITO_CLIENT_SECRET: ecs.Secret.fromSecretsManager(clientSecret),
          SESSION_KEYS: ecs.Secret.fromSecretsManager(sessionKeys),
          METRICS_TOKEN: ecs.Secret.fromSecretsManager(metricsToken),
        },
      });
      this.outputs(publicUrl, users);
      new CfnOutput(this, 'LoadBalancerDns', {
        value: runtime.service.loadBalancer.loadBalancerDnsName,
        description: "Point the public URL's DNS name here (CNAME or alias)",
      });
    }
  }

  private outputs(publicUrl: string, users: LoginUserPool): void {
    new CfnOutput(this, 'Url', { value: publicUrl, description: 'Where the sign-in pages are' });
    new CfnOutput(this, 'UserPoolId', { value: users.pool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: users.client.userPoolClientId });
  }
}

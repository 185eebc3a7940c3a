// The server as a container service: two Fargate tasks in private subnets behind an HTTPS load balancer, sharing
// sessions and rate limits through Redis (ElastiCache, TLS in transit, encrypted at rest, reachable only by them).
import { Duration } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as patterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { assetOptions, imageParameters, REPOSITORY_ROOT } from './image.ts';
import type { StackSettings } from './settings.ts';

export interface ContainerRuntimeProps {
  settings: StackSettings;
  /** The ACM certificate for the public URL's host name. */
  certificateArn: string;
  environment: Record<string, string>;
  secrets: Record<string, ecs.Secret>;
}

/** The port the server listens on in its container (the Dockerfile's EXPOSE). */
const SERVER_PORT = 3000;
const REDIS_PORT = 6379;

export class ContainerRuntime extends Construct {
  readonly service: patterns.ApplicationLoadBalancedFargateService;
  readonly redis: elasticache.CfnReplicationGroup;

  constructor(scope: Construct, id: string, props: ContainerRuntimeProps) {
    super(scope, id);
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1 });

    const redisSecurityGroup = new ec2.SecurityGroup(this, 'RedisSecurityGroup', {
      vpc,
      description: 'Redis of the login front end: reachable from its tasks only',
      allowAllOutbound: false,
    });
    const subnets = new elasticache.CfnSubnetGroup(this, 'RedisSubnets', {
      description: 'Private subnets of the login front end',
      subnetIds: vpc.privateSubnets.map((s) => s.subnetId),
    });
    this.redis = new elasticache.CfnReplicationGroup(this, 'Redis', {
      replicationGroupDescription: 'Sessions and rate limits of the login front end',
      engine: 'redis',
      cacheNodeType: 'cache.t4g.micro',
      // A primary and a replica in two zones, failing over on its own.
      numCacheClusters: 2,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      transitEncryptionEnabled: true,
      atRestEncryptionEnabled: true,
      cacheSubnetGroupName: subnets.ref,
      securityGroupIds: [redisSecurityGroup.securityGroupId],
    });

    const image =
      props.settings.image === 'asset'
        ? ecs.ContainerImage.fromAsset(REPOSITORY_ROOT, assetOptions('runtime'))
        : (() => {
            const { repository, tag } = imageParameters(this);
            return ecs.ContainerImage.fromEcrRepository(repository, tag);
          })();

    this.service = new patterns.ApplicationLoadBalancedFargateService(this, 'Service', {
      vpc,
      desiredCount: 2,
      // A deployment starts the new tasks before it stops the old ones: never fewer than two serving.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      cpu: 512,
      memoryLimitMiB: 1024,
      publicLoadBalancer: true,
      taskSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn),
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      redirectHTTP: true,
      circuitBreaker: { rollback: true },
      taskImageOptions: {
        image,
        containerPort: SERVER_PORT,
        environment: {
          ...props.environment,
          PORT: String(SERVER_PORT),
          SESSION_STORE: 'redis',
          REDIS_URL: `rediss://${this.redis.attrPrimaryEndPointAddress}:${this.redis.attrPrimaryEndPointPort}`,
          // The load balancer is the one proxy in front: the client address is the last one it adds.
          TRUST_PROXY: '1',
        },
        // Injected by ECS from Secrets Manager at start: never in the task definition.
        secrets: props.secrets,
      },
    });
    // Headers with characters no client sends are dropped, not passed to the server.
    this.service.loadBalancer.setAttribute('routing.http.drop_invalid_header_fields.enabled', 'true');
    this.service.targetGroup.configureHealthCheck({
      path: '/healthz',
      healthyHttpCodes: '200',
      interval: Duration.seconds(15),
    });
    redisSecurityGroup.addIngressRule(
      this.service.service.connections.securityGroups[0]!,
      ec2.Port.tcp(REDIS_PORT),
      'the login front end tasks',
    );
  }
}

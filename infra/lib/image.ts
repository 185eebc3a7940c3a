// The server's image, from the repository's Dockerfile: built and pushed by `cdk deploy` (asset), or an image the
// user pushed to ECR beforehand, named by the ImageRepository and ImageTag parameters (the committed templates).
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnParameter, IgnoreMode, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import type { Construct } from 'constructs';

/** The repository root: the Dockerfile's build context. */
export const REPOSITORY_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The Dockerfile's stages: `lambda` for the Lambda runtime, `runtime` for the server in a container. */
export type ImageTarget = 'lambda' | 'runtime';

/**
 * What the Dockerfile reads (its COPY lines), and nothing else: the build context and the asset's fingerprint
 * stay the same whatever else is in the checkout (tests, cdk.out, node_modules).
 */
const CONTEXT = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'Dockerfile'];
const CONTEXT_DIRS = ['src', 'views', 'public', 'themes'];

/** How an asset image is built: for x86-64, whatever machine runs `cdk deploy`. */
export const assetOptions = (target: ImageTarget) => ({
  target,
  platform: Platform.LINUX_AMD64,
  ignoreMode: IgnoreMode.DOCKER,
  exclude: [
    '*',
    '**/*',
    ...CONTEXT.map((f) => `!${f}`),
    ...CONTEXT_DIRS.flatMap((d) => [`!${d}`, `!${d}/**`]),
  ],
});

/** The ECR repository and tag named at deploy time. */
export function imageParameters(scope: Construct): { repository: ecr.IRepository; tag: string } {
  // Stack-level names (ImageRepository, ImageTag), as a user of the template types them.
  const stack = Stack.of(scope);
  const repository = new CfnParameter(stack, 'ImageRepository', {
    type: 'String',
    description:
      'The ECR repository (in this account and region) holding the image built from the Dockerfile',
    allowedPattern: '^[a-z0-9][a-z0-9._/-]{1,255}$',
  });
  const tag = new CfnParameter(stack, 'ImageTag', {
    type: 'String',
    description:
      'The image tag to run (a new tag for each release: an update with the same tag changes nothing)',
    allowedPattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$',
  });
  return {
    repository: ecr.Repository.fromRepositoryName(scope, 'ImageRepositoryRef', repository.valueAsString),
    tag: tag.valueAsString,
  };
}

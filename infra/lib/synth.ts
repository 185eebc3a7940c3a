// Synthesises the stack for given settings: for the CDK app, the committed templates and the tests alike.
import { App, DefaultStackSynthesizer } from 'aws-cdk-lib';
import { CognitoLoginStack } from './cognito-login-stack.ts';
import type { StackSettings } from './settings.ts';

/** The committed templates (infra/templates/), for users without CDK: the image named by parameters. */
export const COMMITTED_TEMPLATES: Record<string, StackSettings> = {
  'lambda.template.json': {
    runtime: 'lambda',
    image: 'parameter',
    authFlow: 'USER_PASSWORD_AUTH',
    passwordless: [],
    sesFromEmail: undefined,
  },
  'container.template.json': {
    runtime: 'container',
    image: 'parameter',
    authFlow: 'USER_PASSWORD_AUTH',
    passwordless: [],
    sesFromEmail: undefined,
  },
};

/**
 * The stack in an app of its own. With the image named by parameters the template has no asset, so it needs no
 * CDK bootstrap (no BootstrapVersion parameter) and deploys with plain CloudFormation.
 */
export function buildStack(settings: StackSettings, outdir?: string): CognitoLoginStack {
  const app = new App({ analyticsReporting: false, ...(outdir ? { outdir } : {}) });
  return new CognitoLoginStack(app, 'CognitoLogin', {
    settings,
    ...(settings.image === 'parameter'
      ? { synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }) }
      : {}),
  });
}

/** The CloudFormation template of the stack, as a JSON value. */
export function synthTemplate(settings: StackSettings, outdir?: string): unknown {
  const stack = buildStack(settings, outdir);
  return stack.node.root instanceof App
    ? stack.node.root.synth().getStackByName(stack.stackName).template
    : undefined;
}

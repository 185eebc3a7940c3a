// The CDK app: `npm run infra:synth` (or `cdk synth` in infra/), settings from context (-c runtime=container ...).
import { App } from 'aws-cdk-lib';
import { CognitoLoginStack } from '../lib/cognito-login-stack.ts';
import { settingsFromContext } from '../lib/settings.ts';

const app = new App();
const settings = settingsFromContext((key) => app.node.tryGetContext(key));
new CognitoLoginStack(app, String(app.node.tryGetContext('stackName') ?? 'CognitoLogin'), { settings });
app.synth();

// The Cognito side, set the way this server needs it: the user pool, its optional domain for the hosted UI, the
// confidential app client with exactly the flows the server uses, and the client secret kept in Secrets Manager.
import { Aws, CfnCondition, Duration, Fn, RemovalPolicy, Validations, type CfnParameter } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DEFAULT_PASSWORD_POLICY } from '../../src/password-policy.ts';
import type { StackSettings } from './settings.ts';

export interface LoginUserPoolProps {
  settings: StackSettings;
  /** The server's public origin (https://login.example.com), a token: callback and sign-out URLs hang off it. */
  publicUrl: string;
  /** Blank: no domain, no hosted UI; otherwise the prefix of `<prefix>.auth.<region>.amazoncognito.com`. */
  domainPrefix: CfnParameter;
}

/** The server's hosted-UI paths (src/paths.ts: callback, signedOut), registered with the app client. */
export const CALLBACK_PATH = '/callback';
export const SIGNED_OUT_PATH = '/signed-out';

export class LoginUserPool extends Construct {
  readonly pool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  /** The app client's secret, copied into Secrets Manager at deploy time: never in the template or an env var. */
  readonly clientSecret: secretsmanager.CfnSecret;
  /** The hosted UI's host name, or AWS::NoValue without a domain: for COGNITO_DOMAIN. */
  readonly domainName: string;
  /** The second factors the pool offers, in the server's MFA_METHODS spelling. */
  readonly mfaMethods: string[];

  constructor(scope: Construct, id: string, props: LoginUserPoolProps) {
    super(scope, id);
    const { settings } = props;
    const ses = settings.sesFromEmail;
    const ways = new Set(settings.passwordless);

    this.pool = new cognito.UserPool(this, 'Pool', {
      // Email is the user name; the server's sign-up, recovery and passwordless pages all work on it.
      signInAliases: { email: true },
      signInCaseSensitive: false,
      selfSignUpEnabled: true,
      autoVerify: { email: true },
      keepOriginal: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        fullname: { required: false, mutable: true },
        phoneNumber: { required: false, mutable: true },
      },
      // The server's own password rules (src/password-policy.ts), so its form and Cognito agree.
      passwordPolicy: {
        minLength: DEFAULT_PASSWORD_POLICY.minimumLength,
        requireLowercase: DEFAULT_PASSWORD_POLICY.requireLowercase,
        requireUppercase: DEFAULT_PASSWORD_POLICY.requireUppercase,
        requireDigits: DEFAULT_PASSWORD_POLICY.requireNumbers,
        requireSymbols: DEFAULT_PASSWORD_POLICY.requireSymbols,
        tempPasswordValidity: Duration.days(7),
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: true, email: ses !== undefined },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      email: ses ? cognito.UserPoolEmail.withSES({ fromEmail: ses, sesRegion: Aws.REGION }) : undefined,
      // Passwordless first factors and passkeys need the Essentials plan; without them Lite is enough.
      featurePlan: ways.size > 0 || ses ? cognito.FeaturePlan.ESSENTIALS : cognito.FeaturePlan.LITE,
      ...(ways.size > 0
        ? {
            signInPolicy: {
              allowedFirstAuthFactors: {
                password: true,
                emailOtp: ways.has('email'),
                smsOtp: ways.has('sms'),
                passkey: ways.has('passkey'),
              },
            },
          }
        : {}),
      // Passkeys belong to the server's host name (the public URL's host).
      ...(ways.has('passkey')
        ? {
            passkeyRelyingPartyId: Fn.select(2, Fn.split('/', props.publicUrl)),
            passkeyUserVerification: cognito.PasskeyUserVerification.PREFERRED,
          }
        : {}),
      // Remembered devices (REMEMBER_DEVICES=ask, with USER_SRP_AUTH): remembered when the user says so.
      deviceTracking:
        settings.authFlow === 'USER_SRP_AUTH'
          ? { challengeRequiredOnNewDevice: true, deviceOnlyRememberedOnUserPrompt: true }
          : undefined,
      // The accounts are the one thing here that cannot be recreated: neither a stack update nor a console click
      // deletes them.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const hasDomain = new CfnCondition(this, 'HasDomain', {
      expression: Fn.conditionNot(Fn.conditionEquals(props.domainPrefix.valueAsString, '')),
    });
    const domain = this.pool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: props.domainPrefix.valueAsString },
    });
    const cfnDomain = domain.node.defaultChild as cognito.CfnUserPoolDomain;
    cfnDomain.cfnOptions.condition = hasDomain;
    Validations.of(cfnDomain).acknowledge({
      id: 'CloudFormation-Validate::W1030',
      reason: 'the blank default means "no domain": the HasDomain condition leaves the resource out then',
    });
    this.domainName = Fn.conditionIf(
      hasDomain.logicalId,
      Fn.join('', [props.domainPrefix.valueAsString, '.auth.', this.pool.stack.region, '.amazoncognito.com']),
      Fn.ref('AWS::NoValue'),
    ).toString();

    this.client = this.pool.addClient('AppClient', {
      // A confidential client: every call carries SECRET_HASH.
      generateSecret: true,
      authFlows: {
        userPassword: settings.authFlow === 'USER_PASSWORD_AUTH',
        userSrp: settings.authFlow === 'USER_SRP_AUTH',
        // Choice-based sign-in: the passwordless ways, and the sign-in right after a confirmed sign-up (the
        // server answers ConfirmSignUp's session with USER_AUTH), so always.
        user: true,
        adminUserPassword: false,
        custom: false,
      },
      // Unknown users answer like wrong passwords: the server's pages rely on it to not tell who has an account.
      preventUserExistenceErrors: true,
      // Sign-out revokes the refresh token (and the tokens issued from it).
      enableTokenRevocation: true,
      authSessionValidity: Duration.minutes(3),
      accessTokenValidity: Duration.minutes(60),
      idTokenValidity: Duration.minutes(60),
      refreshTokenValidity: Duration.days(30),
      // The hosted UI (with a domain): the code flow with PKCE back to the server's callback only.
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [Fn.join('', [props.publicUrl, CALLBACK_PATH])],
        logoutUrls: [Fn.join('', [props.publicUrl, SIGNED_OUT_PATH])],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
    });

    const cfnClient = this.client.node.defaultChild as cognito.CfnUserPoolClient;
    this.clientSecret = new secretsmanager.CfnSecret(this, 'ClientSecret', {
      description: 'The Cognito app client secret of the login front end (COGNITO_CLIENT_SECRET)',
      secretString: cfnClient.attrClientSecret,
    });
    this.clientSecret.applyRemovalPolicy(RemovalPolicy.DESTROY);

    this.mfaMethods = ['SOFTWARE_TOKEN_MFA', 'SMS_MFA', ...(ses ? ['EMAIL_OTP'] : [])];
  }
}

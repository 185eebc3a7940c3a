// The account's profile: the attributes the user may change (email, phone number, the sign-up fields), and the codes
// that verify a changed email address or phone number. A changed one is in force at once, unverified until its code
// is entered, as Cognito does (sign-in by the new email keeps working meanwhile).
import type { Context } from 'koa';
import type { SignupField } from '../../config.ts';
import { AuthError } from '../../cognito/errors.ts';
import type { CognitoUser } from '../../cognito/gateway.ts';
import { byField, fieldError, formError, type FieldError } from '../../field-errors.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { paths } from '../../paths.ts';
import { redirectPublic } from '../../middleware/base-path.ts';
import { currentAuth, ownerKeys, sessionOf } from '../../session/auth-session.ts';
import { parseCode } from '../code-field.ts';
import { formStatus } from '../form-status.ts';
import { fieldName, fieldView, readAttributeFields } from '../signup/signup-form.ts';
import type { FlowDeps } from '../types.ts';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const VERIFIABLE = ['email', 'phone_number'] as const;
type Verifiable = (typeof VERIFIABLE)[number];
const isVerifiable = (name: unknown): name is Verifiable =>
  typeof name === 'string' && (VERIFIABLE as readonly string[]).includes(name);

/** What /account/verify says once a value is verified, or a code sent again. */
export const PROFILE_NOTICES: Readonly<Record<string, MessageKey>> = {
  'profile-saved': 'accountProfile.saved',
  'email-verified': 'accountProfile.emailVerified',
  'phone_number-verified': 'accountProfile.phoneVerified',
};

export function accountProfileHandlers(deps: FlowDeps) {
  const { cognito, renderer, config, refresher, logger } = deps;
  /**
   * The sign-up fields, and the phone number whether or not sign-up asks for it (text-message codes need it). None is
   * required here: a field left empty is left as it is (a user an admin created may never have had one).
   */
  const fields: SignupField[] = [
    ...config.signup.fields
      .filter((f) => f.attribute !== 'phone_number')
      .map((f) => ({ ...f, required: false })),
    { attribute: 'phone_number', required: false },
  ];

  function showProfile(
    ctx: Context,
    status: number,
    user: CognitoUser,
    values: Record<string, string>,
    errors: FieldError[],
  ): void {
    ctx.status = status;
    const attrs = user.attributes;
    renderer.render(ctx, 'pages/account-profile.njk', {
      email: values.email ?? attrs.email ?? '',
      emailUnverified: attrs.email !== undefined && attrs.email_verified !== 'true',
      phoneUnverified: attrs.phone_number !== undefined && attrs.phone_number_verified !== 'true',
      fields: fields.map((f) => fieldView(f, values[fieldName(f.attribute)] ?? attrs[f.attribute] ?? '')),
      errors,
      fieldErrors: byField(errors),
    });
  }

  function showVerify(
    ctx: Context,
    status: number,
    attribute: Verifiable,
    destination: string,
    errors: FieldError[],
  ) {
    ctx.status = status;
    ctx.set('Referrer-Policy', 'no-referrer');
    const afterSignIn = sessionOf(ctx).verifyContact;
    renderer.render(ctx, 'pages/account-verify.njk', {
      attribute,
      destination,
      // Offered right after a sign-in: "skip" goes on where the user was going.
      afterSignIn: afterSignIn !== undefined,
      later: afterSignIn?.then ?? paths.account,
      errors,
      fieldErrors: byField(errors),
    });
  }

  /** New tokens, so the session (and the pages, and the identity headers) say the new values; owners follow. */
  async function refreshSession(ctx: Context): Promise<void> {
    const session = sessionOf(ctx);
    try {
      const fresh = await refresher.refresh(session.auth!);
      session.auth = fresh;
      session.owners = ownerKeys(fresh.sub, fresh.email, fresh.username);
    } catch (err) {
      if (!(err instanceof AuthError)) throw err;
      logger.warn(
        { error: err.code },
        'tokens not refreshed after a profile change; shown at the next refresh',
      );
    }
  }

  /** Cognito's refusal of a profile change, on its field where it names one. */
  function updateRefusal(err: AuthError): FieldError | undefined {
    switch (err.code) {
      case 'ALIAS_EXISTS':
        return fieldError('email', 'errors.ALIAS_EXISTS');
      case 'INVALID_PARAMETER':
        if (/phone/i.test(err.cognitoMessage ?? '')) return fieldError('phone_number', 'signup.phoneInvalid');
        if (/email/i.test(err.cognitoMessage ?? '')) return fieldError('email', 'signup.emailInvalid');
        return formError('errors.INVALID_PARAMETER');
      case 'TOO_MANY_ATTEMPTS':
        return formError('errors.TOO_MANY_ATTEMPTS');
      default:
        return undefined;
    }
  }

  return {
    profileGet: async (ctx: Context): Promise<void> => {
      const user = await cognito.getUser(currentAuth(ctx)!.accessToken);
      showProfile(ctx, 200, user, {}, []);
    },

    profilePost: async (ctx: Context): Promise<void> => {
      const auth = currentAuth(ctx)!;
      const form = ctx.state.form ?? {};
      const email = (form.email ?? '').trim();
      const read = readAttributeFields(form, fields);
      const errors = [...read.errors];
      if (email === '') errors.unshift(fieldError('email', 'signup.emailMissing'));
      else if (email.length > 128) errors.unshift(fieldError('email', 'login.usernameTooLong'));
      else if (!EMAIL.test(email)) errors.unshift(fieldError('email', 'signup.emailInvalid'));
      const user = await cognito.getUser(auth.accessToken);
      const values = { ...read.values, email };
      if (errors.length > 0) return showProfile(ctx, 400, user, values, errors);
      const wanted: Record<string, string> = { email, ...read.attributes };
      const changed = Object.fromEntries(Object.entries(wanted).filter(([k, v]) => user.attributes[k] !== v));
      if (Object.keys(changed).length === 0) return ctx.redirect(`${paths.account}?notice=profile-saved`);
      let deliveries;
      try {
        deliveries = await cognito.updateUserAttributes(auth.accessToken, changed);
      } catch (err) {
        if (!(err instanceof AuthError)) throw err;
        const shown = updateRefusal(err);
        if (!shown) throw err;
        return showProfile(ctx, formStatus([shown]), user, values, [shown]);
      }
      await refreshSession(ctx);
      const first = deliveries.find((d) => isVerifiable(d.attribute));
      if (first) {
        sessionOf(ctx).verifyingAttribute = {
          attribute: first.attribute as Verifiable,
          destination: first.destination,
        };
        return ctx.redirect(`${paths.accountVerify}?sent=1`);
      }
      ctx.redirect(`${paths.account}?notice=profile-saved`);
    },

    verifyGet: (ctx: Context): void => {
      const pending = sessionOf(ctx).verifyingAttribute;
      if (pending) return showVerify(ctx, 200, pending.attribute, pending.destination, []);
      // Asked for a value that is not verified yet (a link from the profile): a code is sent on request only.
      const attribute = ctx.query.attribute;
      if (!isVerifiable(attribute)) return ctx.redirect(paths.accountProfile);
      showVerify(ctx, 200, attribute, '', []);
    },

    /** Sends a (new) code to the value being verified. */
    sendPost: async (ctx: Context): Promise<void> => {
      const attribute = ctx.state.form?.attribute;
      if (!isVerifiable(attribute)) return ctx.redirect(paths.accountProfile);
      let delivery;
      try {
        delivery = await cognito.sendAttributeCode(currentAuth(ctx)!.accessToken, attribute);
      } catch (err) {
        if (!(err instanceof AuthError)) throw err;
        if (err.code === 'TOO_MANY_ATTEMPTS' || err.code === 'CODE_DELIVERY_FAILED') {
          const errors = [formError(`errors.${err.code}`)];
          return showVerify(ctx, formStatus(errors), attribute, '', errors);
        }
        if (err.code === 'INVALID_PARAMETER') return ctx.redirect(paths.accountProfile);
        throw err;
      }
      sessionOf(ctx).verifyingAttribute = { attribute, destination: delivery.destination };
      ctx.redirect(`${paths.accountVerify}?sent=1`);
    },

    verifyPost: async (ctx: Context): Promise<void> => {
      const form = ctx.state.form ?? {};
      const attribute = form.attribute;
      if (!isVerifiable(attribute)) return ctx.redirect(paths.accountProfile);
      const destination = sessionOf(ctx).verifyingAttribute?.destination ?? '';
      const { code, error } = parseCode(form.code);
      if (error) return showVerify(ctx, 400, attribute, destination, [error]);
      try {
        await cognito.verifyAttribute(currentAuth(ctx)!.accessToken, attribute, code);
      } catch (err) {
        if (!(err instanceof AuthError)) throw err;
        const shown =
          err.code === 'CODE_MISMATCH' || err.code === 'CODE_EXPIRED'
            ? fieldError('code', `errors.${err.code}`)
            : err.code === 'TOO_MANY_ATTEMPTS'
              ? formError('errors.TOO_MANY_ATTEMPTS')
              : undefined;
        if (!shown) throw err;
        return showVerify(ctx, formStatus([shown]), attribute, destination, [shown]);
      }
      const session = sessionOf(ctx);
      delete session.verifyingAttribute;
      const then = session.verifyContact?.then;
      delete session.verifyContact;
      await refreshSession(ctx);
      if (then !== undefined && then !== paths.account) return redirectPublic(ctx, then);
      ctx.redirect(`${paths.account}?notice=${attribute}-verified`);
    },
  };
}

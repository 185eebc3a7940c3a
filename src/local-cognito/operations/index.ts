// The operation table: X-Amz-Target operation name -> handler.
import type { Operation } from './context.ts';
import {
  createUserPool,
  createUserPoolClient,
  deleteUserPool,
  describeUserPool,
  describeUserPoolClient,
  getUserPoolMfaConfig,
  listUserPoolClients,
  listUserPools,
  setUserPoolMfaConfig,
  updateUserPool,
  updateUserPoolClient,
} from './pools.ts';
import {
  adminConfirmSignUp,
  adminCreateUser,
  adminDeleteUser,
  adminDisableUser,
  adminEnableUser,
  adminGetUser,
  adminSetUserMfaPreference,
  adminSetUserPassword,
  adminUpdateUserAttributes,
  adminUserGlobalSignOut,
} from './users.ts';
import {
  adminAddUserToGroup,
  adminListGroupsForUser,
  adminRemoveUserFromGroup,
  createGroup,
  getGroup,
} from './groups.ts';
import { initiateAuth, respondToAuthChallenge } from './auth.ts';
import { changePassword, deleteUser, getUser, globalSignOut, revokeToken } from './user-tokens.ts';
import {
  getUserAttributeVerificationCode,
  updateUserAttributes,
  verifyUserAttribute,
} from './user-attributes.ts';
import { confirmSignUp, resendConfirmationCode, signUp } from './sign-up.ts';
import { adminResetUserPassword, confirmForgotPassword, forgotPassword } from './recovery.ts';
import { associateSoftwareToken, setUserMfaPreference, verifySoftwareToken } from './software-token.ts';

/** Every operation the emulator speaks, by its Cognito name. */
export const OPERATIONS: ReadonlyMap<string, Operation> = new Map<string, Operation>([
  ['CreateUserPool', createUserPool],
  ['DescribeUserPool', describeUserPool],
  ['UpdateUserPool', updateUserPool],
  ['DeleteUserPool', deleteUserPool],
  ['ListUserPools', listUserPools],
  ['SetUserPoolMfaConfig', setUserPoolMfaConfig],
  ['GetUserPoolMfaConfig', getUserPoolMfaConfig],
  ['CreateUserPoolClient', createUserPoolClient],
  ['DescribeUserPoolClient', describeUserPoolClient],
  ['UpdateUserPoolClient', updateUserPoolClient],
  ['ListUserPoolClients', listUserPoolClients],
  ['AdminCreateUser', adminCreateUser],
  ['AdminSetUserPassword', adminSetUserPassword],
  ['AdminGetUser', adminGetUser],
  ['AdminDeleteUser', adminDeleteUser],
  ['AdminSetUserMFAPreference', adminSetUserMfaPreference],
  ['AdminUserGlobalSignOut', adminUserGlobalSignOut],
  ['AdminConfirmSignUp', adminConfirmSignUp],
  ['AdminDisableUser', adminDisableUser],
  ['AdminEnableUser', adminEnableUser],
  ['AdminUpdateUserAttributes', adminUpdateUserAttributes],
  ['AdminResetUserPassword', adminResetUserPassword],
  ['CreateGroup', createGroup],
  ['GetGroup', getGroup],
  ['AdminAddUserToGroup', adminAddUserToGroup],
  ['AdminRemoveUserFromGroup', adminRemoveUserFromGroup],
  ['AdminListGroupsForUser', adminListGroupsForUser],
  ['InitiateAuth', initiateAuth],
  ['RespondToAuthChallenge', respondToAuthChallenge],
  ['GetUser', getUser],
  ['GlobalSignOut', globalSignOut],
  ['RevokeToken', revokeToken],
  ['SignUp', signUp],
  ['ConfirmSignUp', confirmSignUp],
  ['ResendConfirmationCode', resendConfirmationCode],
  ['ForgotPassword', forgotPassword],
  ['ConfirmForgotPassword', confirmForgotPassword],
  ['ChangePassword', changePassword],
  ['DeleteUser', deleteUser],
  ['UpdateUserAttributes', updateUserAttributes],
  ['GetUserAttributeVerificationCode', getUserAttributeVerificationCode],
  ['VerifyUserAttribute', verifyUserAttribute],
  ['AssociateSoftwareToken', associateSoftwareToken],
  ['VerifySoftwareToken', verifySoftwareToken],
  ['SetUserMFAPreference', setUserMfaPreference],
]);

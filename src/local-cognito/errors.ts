// Cognito's named errors: what the JSON protocol sends back as `__type` and `message`.

/** An error the emulator answers with, exactly as Cognito would name it. */
export class CognitoError extends Error {
  override readonly name: string;
  /** HTTP status of the response (Cognito uses 400 for client faults). */
  readonly status: number;

  constructor(name: string, message: string, status = 400) {
    super(message);
    this.name = name;
    this.status = status;
  }
}

export const invalidParameter = (message: string): CognitoError =>
  new CognitoError('InvalidParameterException', message);

export const notAuthorized = (message: string): CognitoError =>
  new CognitoError('NotAuthorizedException', message);

export const userNotFound = (): CognitoError =>
  new CognitoError('UserNotFoundException', 'User does not exist.');

export const poolNotFound = (poolId: string): CognitoError =>
  new CognitoError('ResourceNotFoundException', `User pool ${poolId} does not exist.`);

export const clientNotFound = (clientId: string): CognitoError =>
  new CognitoError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);

/** AWS's wording for a required member that is missing: `Value null at 'clientId' ...`. */
export function missingMember(member: string): CognitoError {
  const field = member.charAt(0).toLowerCase() + member.slice(1);
  return invalidParameter(
    `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
  );
}

// Groups: CreateGroup, GetGroup, AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser.
import { CognitoError } from '../errors.ts';
import type { GroupRecord, PoolRecord } from '../state.ts';
import {
  epochSeconds,
  getPool,
  optNumber,
  optString,
  reqString,
  requireUser,
  type Input,
  type OpContext,
} from './context.ts';

function groupType(pool: PoolRecord, g: GroupRecord): object {
  return {
    GroupName: g.name,
    UserPoolId: pool.id,
    ...(g.description !== undefined ? { Description: g.description } : {}),
    ...(g.roleArn !== undefined ? { RoleArn: g.roleArn } : {}),
    ...(g.precedence !== undefined ? { Precedence: g.precedence } : {}),
    LastModifiedDate: epochSeconds(g.modifiedAt),
    CreationDate: epochSeconds(g.createdAt),
  };
}

function requireGroup(pool: PoolRecord, name: string): GroupRecord {
  const group = pool.groups.get(name);
  if (!group) throw new CognitoError('ResourceNotFoundException', 'Group not found.');
  return group;
}

export function createGroup(ctx: OpContext, input: Input): object {
  const pool = getPool(ctx, reqString(input, 'UserPoolId'));
  const name = reqString(input, 'GroupName');
  if (pool.groups.has(name)) {
    throw new CognitoError('GroupExistsException', `A group with the name ${name} already exists.`);
  }
  const now = ctx.clock();
  const group: GroupRecord = {
    name,
    description: optString(input, 'Description'),
    roleArn: optString(input, 'RoleArn'),
    precedence: optNumber(input, 'Precedence'),
    createdAt: now,
    modifiedAt: now,
  };
  pool.groups.set(name, group);
  return { Group: groupType(pool, group) };
}

export function getGroup(ctx: OpContext, input: Input): object {
  const pool = getPool(ctx, reqString(input, 'UserPoolId'));
  return { Group: groupType(pool, requireGroup(pool, reqString(input, 'GroupName'))) };
}

export function adminAddUserToGroup(ctx: OpContext, input: Input): object {
  const pool = getPool(ctx, reqString(input, 'UserPoolId'));
  const user = requireUser(pool, reqString(input, 'Username'));
  const group = requireGroup(pool, reqString(input, 'GroupName'));
  if (!user.groups.includes(group.name)) user.groups.push(group.name);
  return {};
}

export function adminRemoveUserFromGroup(ctx: OpContext, input: Input): object {
  const pool = getPool(ctx, reqString(input, 'UserPoolId'));
  const user = requireUser(pool, reqString(input, 'Username'));
  const group = requireGroup(pool, reqString(input, 'GroupName'));
  user.groups = user.groups.filter((g) => g !== group.name);
  return {};
}

export function adminListGroupsForUser(ctx: OpContext, input: Input): object {
  const pool = getPool(ctx, reqString(input, 'UserPoolId'));
  const user = requireUser(pool, reqString(input, 'Username'));
  const groups = user.groups.flatMap((name) => {
    const g = pool.groups.get(name);
    return g ? [groupType(pool, g)] : [];
  });
  return { Groups: groups };
}

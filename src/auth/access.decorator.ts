import { SetMetadata } from '@nestjs/common';

export const ROLES = ['operator', 'supervisor', 'dpo', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLES_KEY = 'keyholder:roles';
export const PUBLIC_KEY = 'keyholder:public';

/**
 * Who may call a route. Admin may call every route (docs/api-contract.md#roles), so it need not be
 * listed; every other role is listed explicitly so a reader sees the whole rule on the route.
 */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** A route anyone may call without a token; the reason is required so nobody adds one by accident. */
export const Public = (reason: string) => SetMetadata(PUBLIC_KEY, reason);

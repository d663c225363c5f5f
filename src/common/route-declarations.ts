import { Injectable, OnApplicationBootstrap, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { PUBLIC_KEY, ROLES_KEY } from '../auth/access.decorator.js';
import { NO_PERSONAL_DATA_KEY, PROCESSING_KEY, type ProcessingDeclaration } from '../privacy/processing.decorator.js';

export interface DeclaredRoute {
  method: string;
  path: string;
  handler: string;
  access: { public: string } | { roles: string[] } | undefined;
  processing: ProcessingDeclaration | { none: string } | undefined;
}

/**
 * Every HTTP route of the running app, read from Nest's own metadata (not a hand-kept list), with
 * what it declares. Start-up fails if any route lacks an access rule or a legal-basis declaration.
 */
@Injectable()
export class RouteDeclarations implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    const problems = this.undeclared();
    if (problems.length) {
      throw new Error(`routes without declarations (refusing to start):\n${problems.map((p) => `  ${p}`).join('\n')}`);
    }
  }

  routes(): DeclaredRoute[] {
    return this.discovery.getControllers().flatMap((wrapper) => {
      const { instance, metatype } = wrapper;
      if (!instance || !metatype) return [];
      const base = normalise(this.reflector.get<string | string[]>(PATH_METADATA, metatype));
      const proto = Object.getPrototypeOf(instance) as object;
      return this.scanner.getAllMethodNames(proto).flatMap((name) => {
        const handler = (proto as Record<string, (...a: unknown[]) => unknown>)[name];
        const method = this.reflector.get<RequestMethod>(METHOD_METADATA, handler);
        if (method === undefined) return [];
        const sub = normalise(this.reflector.get<string | string[]>(PATH_METADATA, handler));
        const targets = [handler, metatype];
        const publicReason = this.reflector.getAllAndOverride<string>(PUBLIC_KEY, targets);
        const roles = this.reflector.getAllAndOverride<string[]>(ROLES_KEY, targets);
        const processing = this.reflector.getAllAndOverride<ProcessingDeclaration>(PROCESSING_KEY, targets);
        const none = this.reflector.getAllAndOverride<string>(NO_PERSONAL_DATA_KEY, targets);
        return [
          {
            method: RequestMethod[method],
            path: ('/' + [base, sub].filter(Boolean).join('/')).replace(/\/+/g, '/'),
            handler: `${metatype.name}.${name}`,
            access: publicReason ? { public: publicReason } : roles ? { roles } : undefined,
            processing: processing ?? (none ? { none } : undefined),
          },
        ];
      });
    });
  }

  undeclared(): string[] {
    return this.routes().flatMap((r) => [
      ...(r.access ? [] : [`${r.method} ${r.path} (${r.handler}): no @Roles or @Public`]),
      ...(r.processing ? [] : [`${r.method} ${r.path} (${r.handler}): no @Processing or @NoPersonalData`]),
    ]);
  }

  /** Every distinct declared processing operation, for the record of processing. */
  declarations(): ProcessingDeclaration[] {
    const byName = new Map<string, ProcessingDeclaration>();
    for (const r of this.routes()) {
      if (r.processing && 'operation' in r.processing) byName.set(r.processing.operation, r.processing);
    }
    return [...byName.values()];
  }
}

function normalise(path: string | string[] | undefined): string {
  const p = Array.isArray(path) ? path[0] : path;
  return (p ?? '').replace(/^\/+|\/+$/g, '');
}

import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModuleRef, Reflector } from '@nestjs/core';
import { RouteDeclarations } from '../common/route-declarations.js';
import { PROCESSING_KEY, type ProcessingDeclaration } from './processing.decorator.js';

export interface RegisteredDeclaration {
  declaration: ProcessingDeclaration;
  /** Where it is performed: `GET /api/customers/:id` for a route, `RetentionJob.run` for a method. */
  where: string[];
}

/**
 * Every declared operation of the running app, for the record of processing: HTTP routes (read by
 * RouteDeclarations from Nest's metadata), methods of any provider carrying @Processing (scheduled
 * jobs, message handlers), and anything given to `declare()` by code that has no method to decorate.
 */
@Injectable()
export class ProcessingRegistry implements OnApplicationBootstrap {
  private readonly declared: Array<{ declaration: ProcessingDeclaration; where: string }> = [];
  private bootstrapped = false;
  private names?: Set<string>;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
  ) {}

  onApplicationBootstrap(): void {
    this.bootstrapped = true;
  }

  /** For processing that is not a decorated method (e.g. a callback); `where` says what performs it. */
  declare(declaration: ProcessingDeclaration, where: string): void {
    this.declared.push({ declaration, where });
    this.names = undefined;
  }

  /** One entry per operation name, in a stable order (by operation). */
  declarations(): RegisteredDeclaration[] {
    const byName = new Map<string, RegisteredDeclaration>();
    for (const { declaration, where } of this.all()) {
      const known = byName.get(declaration.operation);
      if (known) {
        if (!known.where.includes(where)) known.where.push(where);
      } else {
        byName.set(declaration.operation, { declaration, where: [where] });
      }
    }
    return [...byName.values()].sort((a, b) => a.declaration.operation.localeCompare(b.declaration.operation));
  }

  /** Operation names declared twice with different content: the record would show only one of them. */
  conflicts(): string[] {
    const seen = new Map<string, { text: string; where: string }>();
    const problems: string[] = [];
    for (const { declaration, where } of this.all()) {
      const text = stableJson(declaration);
      const first = seen.get(declaration.operation);
      if (!first) seen.set(declaration.operation, { text, where });
      else if (first.text !== text) problems.push(`${declaration.operation}: declared differently at ${first.where} and ${where}`);
    }
    return problems;
  }

  isDeclared(operation: string): boolean {
    // Before bootstrap not every provider exists yet, so the answer is not cached then.
    const names = this.names ?? new Set(this.all().map((d) => d.declaration.operation));
    if (this.bootstrapped) this.names = names;
    return names.has(operation);
  }

  private all(): Array<{ declaration: ProcessingDeclaration; where: string }> {
    return [...this.fromRoutes(), ...this.fromProviders(), ...this.declared];
  }

  private fromRoutes(): Array<{ declaration: ProcessingDeclaration; where: string }> {
    const routes = this.moduleRef.get(RouteDeclarations, { strict: false }).routes();
    return routes.flatMap((r) => (r.processing && 'operation' in r.processing ? [{ declaration: r.processing, where: `${r.method} ${r.path}` }] : []));
  }

  private fromProviders(): Array<{ declaration: ProcessingDeclaration; where: string }> {
    const found: Array<{ declaration: ProcessingDeclaration; where: string }> = [];
    const seen = new Set<object>();
    for (const wrapper of this.discovery.getProviders()) {
      const { instance, metatype } = wrapper;
      if (!instance || typeof instance !== 'object' || !metatype || !wrapper.isDependencyTreeStatic()) continue;
      const proto = Object.getPrototypeOf(instance) as object | null;
      if (!proto || seen.has(proto)) continue;
      seen.add(proto);
      for (const name of this.scanner.getAllMethodNames(proto)) {
        const method = (proto as Record<string, unknown>)[name];
        if (typeof method !== 'function') continue;
        const declaration = this.reflector.get<ProcessingDeclaration | undefined>(PROCESSING_KEY, method);
        if (declaration) found.push({ declaration, where: `${proto.constructor.name}.${name}` });
      }
    }
    return found;
  }
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

import type { AnyNamespace, AnyServer } from '@portcullis/core';

/** A dynamic namespace's parent (`io.of(/^\/room-\w+$/)`): children copy its guards. */
interface ParentNamespaceView {
  readonly children: Set<AnyNamespace>;
}

export interface GuardNamespacesOptions {
  /** Concrete namespaces left without guards, by exact name. */
  readonly publicNamespaces: ReadonlySet<string>;
  /** Installs the whole chain on a namespace (a concrete one or a dynamic parent). */
  readonly install: (nsp: AnyNamespace) => void;
  /**
   * Runs on a child created from a guarded parent: the chain came with the parent's
   * middlewares and listeners, what is per namespace instance (its adapter) did not.
   */
  readonly adoptChild: (nsp: AnyNamespace) => void;
}

/** What `guardEveryNamespace` found and did at start-up. */
export interface GuardedNamespaces {
  /** Concrete namespaces guarded at start-up (more follow as they are created). */
  readonly guarded: readonly string[];
  /** Dynamic parents guarded at start-up; their future children inherit the chain. */
  readonly dynamicParents: number;
}

function serverInternals(io: AnyServer): {
  nsps: Map<string, AnyNamespace>;
  parents: Map<unknown, AnyNamespace & ParentNamespaceView>;
} {
  const parents = (io as unknown as { parentNsps?: unknown }).parentNsps;
  const nsps = (io as unknown as { _nsps?: unknown })._nsps;
  // Without these maps the namespaces that exist already cannot be found, so an app's
  // `/admin` could stay open without a word: refuse to start instead.
  if (!(nsps instanceof Map) || !(parents instanceof Map)) {
    throw new TypeError(
      'portcullis(io): cannot list the namespaces of this Socket.io server (io._nsps / ' +
        'io.parentNsps are missing), so it cannot guard them all. Socket.io 4.x is required.',
    );
  }
  return {
    nsps: nsps as Map<string, AnyNamespace>,
    parents: parents as Map<unknown, AnyNamespace & ParentNamespaceView>,
  };
}

/**
 * Installs the chain on every namespace of the server: those that exist now, those
 * created later (`new_namespace`), and the parents of dynamic namespaces, whose
 * middlewares and `connection` listeners Socket.io copies onto each child it creates.
 * A namespace is left open only when named in `publicNamespaces`.
 *
 * Socket.io offers no public way to list the namespaces that already exist; the server's
 * `_nsps` and `parentNsps` maps are read once, here (a test pins them).
 */
export function guardEveryNamespace(
  io: AnyServer,
  options: GuardNamespacesOptions,
): GuardedNamespaces {
  const { nsps, parents } = serverInternals(io);
  const guardedParents: ParentNamespaceView[] = [];
  const guarded: string[] = [];
  const isPublic = (nsp: AnyNamespace): boolean => options.publicNamespaces.has(nsp.name);
  const isChildOfGuardedParent = (nsp: AnyNamespace): boolean =>
    guardedParents.some((parent) => parent.children.has(nsp));

  for (const parent of parents.values()) {
    options.install(parent);
    guardedParents.push(parent);
  }
  for (const nsp of nsps.values()) {
    if (isPublic(nsp)) continue;
    options.install(nsp);
    guarded.push(nsp.name);
  }
  // Emitted synchronously by io.of() (and by a parent creating a child) before the
  // namespace is returned, so the chain comes before the application's own handlers.
  io.on('new_namespace', (nsp: AnyNamespace) => {
    if (isChildOfGuardedParent(nsp)) options.adoptChild(nsp);
    else if (!isPublic(nsp)) options.install(nsp);
  });
  return { guarded, dynamicParents: guardedParents.length };
}

/**
 * The three `Reflect` metadata functions that @peculiar/x509's dependency injection (tsyringe) calls when it
 * loads. The library refuses to load without a metadata polyfill; these few lines stand in for the
 * `reflect-metadata` package, which would be one more dependency for a feature the issuing code never uses.
 * Installed only right before the library is imported, and never over an existing implementation.
 */
type MetadataStore = Map<string | symbol | undefined, Map<unknown, unknown>>;

interface ReflectMetadata {
  defineMetadata(key: unknown, value: unknown, target: object, property?: string | symbol): void;
  getOwnMetadata(key: unknown, target: object, property?: string | symbol): unknown;
  getMetadata(key: unknown, target: object, property?: string | symbol): unknown;
}

export function installReflectMetadata(): void {
  const reflect = Reflect as unknown as Partial<ReflectMetadata>;
  if (typeof reflect.getMetadata === "function") return;

  const stores = new WeakMap<object, MetadataStore>();
  const entries = (target: object, property: string | symbol | undefined, create: boolean): Map<unknown, unknown> | undefined => {
    let store = stores.get(target);
    if (!store && create) stores.set(target, (store = new Map()));
    let forProperty = store?.get(property);
    if (store && !forProperty && create) store.set(property, (forProperty = new Map()));
    return forProperty;
  };

  const metadata: ReflectMetadata = {
    defineMetadata: (key, value, target, property) => void entries(target, property, true)?.set(key, value),
    getOwnMetadata: (key, target, property) => entries(target, property, false)?.get(key),
    getMetadata: (key, target, property) => {
      // Walks the prototype chain, as the polyfill's lookup does for inherited constructor parameters.
      for (let current: object | null = target; current; current = Object.getPrototypeOf(current) as object | null) {
        const found = entries(current, property, false);
        if (found?.has(key)) return found.get(key);
      }
      return undefined;
    },
  };
  Object.assign(Reflect, metadata);
}

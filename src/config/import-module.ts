/**
 * Node's own `import()` of an ES module file, for the config's bundle. In the sources it is the `import()`
 * below; in dist/runtime.cjs, which Node 20 can only run from a V8 code cache without `import()` (a function
 * read from the cache has lost the callback that resolves it), scripts/compile.mjs turns every `import()`
 * into `require()`, and dist/runtime-loader.js hands the bundle the `import()` of an ES module through
 * {@link setModuleImporter}.
 */
let importer: (url: string) => Promise<unknown> = (url) => import(url);

export function setModuleImporter(load: (url: string) => Promise<unknown>): void {
  importer = load;
}

export function importModule(url: string): Promise<unknown> {
  return importer(url);
}

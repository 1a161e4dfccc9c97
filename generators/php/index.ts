export { PhpFpm, SEED_PHP_INI, type PhpFpmProps, type PhpImagePaths, type PoolSize } from "./php-fpm.js";
export type { PhpIniSettings, PoolSettings } from "./render.js";
export { KNOWN_EXTENSIONS } from "./known-extensions.js";

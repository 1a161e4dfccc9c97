import { entry, shown } from "../../src/validate/messages.js";
import { defineMessages } from "../../src/validate/problem.js";

/** What PhpFpm's checks report: values php-fpm or PHP would refuse, and a pool the memory cannot hold. */
export const PHP_MESSAGES = defineMessages({
  "php/unknown-extension": entry<{ name: unknown; suggestion: string | undefined }>(
    ({ name, suggestion }) => `${shown(name)} is not a PHP extension known here${suggestion ? `: did you mean "${suggestion}"?` : ""}`,
    ({ suggestion }) =>
      suggestion
        ? `write "${suggestion}"`
        : "give the name docker-php-ext-install or pecl installs it by (lower case); a real extension missing from generators/php/known-extensions.ts belongs there, with its source",
  ),
  "php/memory-size-invalid": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} is not a memory size`,
    'give a number and a unit k, m or g, e.g. "256M" or "4G"',
  ),
  "php/no-memory-budget": entry<Record<string, never>>(
    () => "php-fpm's pool cannot be sized: neither a memoryLimit nor the memory of the nodes it runs on is given",
    'give PhpFpm a `memoryLimit` (e.g. "256M"), or the app nodes their `memory` (e.g. "4G")',
  ),
  "php/pool-empty": entry<{ budget: number; child: number; opcache: number }>(
    ({ budget, child, opcache }) =>
      `${budget} MiB for php-fpm, less ${opcache} MiB of opcache, holds no worker of ${child} MiB: pm.max_children would be 0`,
    "raise memoryLimit (or the nodes' memory), or lower childMemory or opcacheMemory",
  ),
  "php/pool-tiny": entry<{ children: number; budget: number }>(
    ({ children, budget }) =>
      `${budget} MiB holds only ${children} php-fpm worker(s): one slow request keeps every other visitor of the node waiting`,
    "give php-fpm more memory (memoryLimit or the nodes' memory), or lower childMemory",
    "warning",
  ),
  "php/memory-limit-above-node": entry<{ limit: string; node: string; memory: string }>(
    ({ limit, node, memory }) => `memoryLimit ${limit} is more than ${node} has (${memory}): the pool is sized for memory the node lacks`,
    "lower memoryLimit below the app nodes' memory",
  ),
  "php/path-invalid": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} cannot be a php-fpm status or ping path`,
    "give a path that starts with /, holds only letters, digits, / . _ - and does not end in .php (nginx passes *.php to php-fpm, which would make it public)",
  ),
  "php/count-invalid": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} is not a whole number of 1 or more`,
    "give a whole number, 1 or more",
  ),
  "php/port-invalid": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} is not a port php-fpm can listen on`,
    "give a whole number from 1 to 65535 (9000 by default, where the front's nginx passes PHP)",
  ),
  "php/front-port-mismatch": entry<{ front: string; frontPort: number; port: number }>(
    ({ front, frontPort, port }) => `${front} passes PHP to port ${frontPort}, but the pool listens on ${port}`,
    ({ port }) => `give the FrontProxy phpPort: ${port}, or the PhpFpm the front's port`,
  ),
  "php/pm-invalid": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} is not a process manager this pool is written for`,
    'give "dynamic" (spare workers between derived bounds) or "static" (every worker always running)',
  ),
  "php/ini-value-invalid": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} cannot be written into php.ini`,
    "give a single value without spaces, quotes, ; or line breaks",
  ),
});

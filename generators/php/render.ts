import { GENERATED_NOTICE } from "../../src/synth/header.js";

/** php.ini values the model sets (the seed's tuning, FACTS.md), and opcache's shared memory. */
export interface PhpIniSettings {
  /** The ceiling of one request's memory (`memory_limit`). */
  readonly memoryLimit: string;
  readonly postMaxSize: string;
  readonly uploadMaxFilesize: string;
  readonly fileUploads: boolean;
  /** Seconds a script may run (`max_execution_time`). */
  readonly maxExecutionTime: number;
  readonly timezone: string;
  /** MiB of shared memory for compiled scripts (`opcache.memory_consumption`), held once per task. */
  readonly opcacheMemory: number;
}

/** The www pool as php-fpm reads it. */
export interface PoolSettings {
  readonly port: number;
  readonly user: string;
  readonly group: string;
  readonly pm: "dynamic" | "static";
  readonly maxChildren: number;
  readonly startServers: number;
  readonly minSpareServers: number;
  readonly maxSpareServers: number;
  readonly maxRequests: number;
  readonly statusPath: string;
  readonly pingPath: string;
  /** How the pool size was found, for the comment above it. */
  readonly sizing: string;
}

const onOff = (value: boolean): string => (value ? "On" : "Off");

/** A production php.ini: the seed's settings, errors logged not shown, and opcache for a code volume that changes. */
export function renderPhpIni(settings: PhpIniSettings): string {
  return `; ${GENERATED_NOTICE}
; php.ini of php-fpm: the seed's tuning, production error handling, opcache.

[PHP]
engine = On
short_open_tag = Off
expose_php = Off
; nginx passes only existing *.php files: never let PHP guess another script from the path.
cgi.fix_pathinfo = 0
memory_limit = ${settings.memoryLimit}
max_execution_time = ${settings.maxExecutionTime}
max_input_time = 60
; Environment and server variables, GET, POST and cookies; $_REQUEST without cookies.
variables_order = "GPCS"
request_order = "GP"
post_max_size = ${settings.postMaxSize}
file_uploads = ${onOff(settings.fileUploads)}
upload_max_filesize = ${settings.uploadMaxFilesize}
allow_url_include = Off
; Errors go to the log (php-fpm's, the container's output), never to visitors.
error_reporting = E_ALL & ~E_DEPRECATED
display_errors = Off
display_startup_errors = Off
log_errors = On
html_errors = Off
date.timezone = ${settings.timezone}

[Session]
session.use_strict_mode = 1
session.use_only_cookies = 1
session.cookie_httponly = 1
session.cookie_secure = 1
session.cookie_samesite = Lax

[opcache]
opcache.enable = 1
opcache.enable_cli = 0
opcache.memory_consumption = ${settings.opcacheMemory}
opcache.interned_strings_buffer = 16
opcache.max_accelerated_files = 20000
; The code sits in the site's volume and the application updates it in place: check it every 2 s.
opcache.validate_timestamps = 1
opcache.revalidate_freq = 2
opcache.save_comments = 1
`;
}

/** The www pool: FastCGI on the overlay, the pool sized from the memory the model gives, status and ping pages. */
export function renderPool(pool: PoolSettings): string {
  const dynamic =
    pool.pm === "dynamic"
      ? `pm.start_servers = ${pool.startServers}
pm.min_spare_servers = ${pool.minSpareServers}
pm.max_spare_servers = ${pool.maxSpareServers}
`
      : "";
  return `; ${GENERATED_NOTICE}
; php-fpm's www pool: FastCGI for the front's nginx on the app overlay.

[www]
user = ${pool.user}
group = ${pool.group}
; Every address of the task: it publishes no port, so only containers on its overlays reach it.
listen = ${pool.port}

; ${pool.sizing}
pm = ${pool.pm}
pm.max_children = ${pool.maxChildren}
${dynamic}pm.max_requests = ${pool.maxRequests}

; For monitoring, over FastCGI from the overlay only: nginx passes nothing but *.php to php-fpm, so these
; paths cannot be reached from outside.
pm.status_path = ${pool.statusPath}
ping.path = ${pool.pingPath}
ping.response = pong

catch_workers_output = yes
decorate_workers_output = no
; The container's environment (database host and user, secret file paths) reaches the scripts.
clear_env = no
security.limit_extensions = .php
`;
}

/**
 * The PHP code a health check runs: exit 0 when every listed extension is loaded. Written without `$`, which
 * the stack file would otherwise have to escape from Docker's variable substitution.
 */
export function extensionCheckCode(loadedNames: readonly string[]): string {
  return `exit(in_array(false, array_map("extension_loaded", ${JSON.stringify(loadedNames)}), true) ? 1 : 0);`;
}

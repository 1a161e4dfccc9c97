/**
 * The Debian (bookworm, PHP 8.2) package that brings each PHP extension into php8.2-fpm, by the names of
 * generators/php/known-extensions.ts. Taken from Debian's packages: `apt-cache show php8.2-common` (its
 * Provides: line lists the extensions it carries), `php -n -m` of php8.2-cli (those compiled into PHP itself)
 * and the php8.2-<name> packages of bookworm's main; test/images checks every package named here with
 * `apt-cache show` on a bookworm machine. A known extension missing here has no bookworm package
 * (pcntl is compiled into the CLI only; grpc, protobuf, rdkafka, swoole, event, xhprof, zstd, oci8, sqlsrv…).
 */

/** Version of PHP the Debian base brings, in its package names (`php8.2-fpm`) and paths (`/etc/php/8.2/`). */
export const DEBIAN_PHP_VERSION = "8.2";

/** Compiled into PHP itself: present in every php8.2 binary, no package to add. */
export const BUILT_IN = [
  "date",
  "filter",
  "hash",
  "json",
  "libxml",
  "openssl",
  "pcre",
  "random",
  "reflection",
  "session",
  "sodium",
  "spl",
  "standard",
  "zlib",
];

/** Carried by php8.2-common, which php8.2-fpm depends on. */
export const IN_COMMON = [
  "calendar",
  "ctype",
  "exif",
  "ffi",
  "fileinfo",
  "ftp",
  "gettext",
  "iconv",
  "pdo",
  "phar",
  "posix",
  "shmop",
  "sockets",
  "sysvmsg",
  "sysvsem",
  "sysvshm",
  "tokenizer",
];

/** The package suffix (`php8.2-<suffix>`) of the others. */
export const PACKAGE_OF: Readonly<Record<string, string>> = {
  mysqli: "mysql",
  mysqlnd: "mysql",
  pdo_mysql: "mysql",
  gd: "gd",
  opcache: "opcache",
  zip: "zip",
  curl: "curl",
  mbstring: "mbstring",
  intl: "intl",
  bcmath: "bcmath",
  bz2: "bz2",
  dom: "xml",
  simplexml: "xml",
  xml: "xml",
  xmlreader: "xml",
  xmlwriter: "xml",
  xsl: "xml",
  soap: "soap",
  pgsql: "pgsql",
  pdo_pgsql: "pgsql",
  sqlite3: "sqlite3",
  pdo_sqlite: "sqlite3",
  gmp: "gmp",
  ldap: "ldap",
  imap: "imap",
  tidy: "tidy",
  snmp: "snmp",
  enchant: "enchant",
  pspell: "pspell",
  readline: "readline",
  odbc: "odbc",
  pdo_odbc: "odbc",
  dba: "dba",
  pdo_dblib: "sybase",
  pdo_firebird: "interbase",
  igbinary: "igbinary",
  redis: "redis",
  apcu: "apcu",
  imagick: "imagick",
  memcached: "memcached",
  memcache: "memcache",
  mongodb: "mongodb",
  msgpack: "msgpack",
  xdebug: "xdebug",
  yaml: "yaml",
  amqp: "amqp",
  ds: "ds",
  uuid: "uuid",
  ssh2: "ssh2",
  maxminddb: "maxminddb",
  mailparse: "mailparse",
  oauth: "oauth",
  pcov: "pcov",
};

/** The Debian package an extension needs: `null` when PHP or php8.2-common has it, undefined when bookworm has none. */
export function debianPackageOf(extension: string): string | null | undefined {
  if (BUILT_IN.includes(extension) || IN_COMMON.includes(extension)) return null;
  const suffix = PACKAGE_OF[extension];
  return suffix === undefined ? undefined : `php${DEBIAN_PHP_VERSION}-${suffix}`;
}

/**
 * The Debian bookworm versions the images install, pinned (`apt-get install <package>=<version>`), so an image's
 * tag, a hash of its Dockerfile, names the versions of the packages it installs by name: a rebuild of the same
 * context installs the same versions, or fails (`Version '…' for '…' was not found`) once Debian has replaced one,
 * instead of shipping other software under the same tag. Their dependencies (libssl3, libc6…) are not pinned,
 * except where a package requires its own source's exact version (nginx-common, php8.2-common).
 *
 * Taken from `apt-cache policy` on a bookworm machine with bookworm-updates and bookworm-security: test/images
 * checks that each is the version this machine's apt offers and, for a package it has installed (the nginx,
 * ModSecurity, CRS and PHP the other tests run), the version installed, and that the built images hold exactly
 * these. When Debian publishes an update, that test fails naming the package: update the version here, and the
 * images' tags change with it.
 */

/** Every php8.2-* package built from Debian's php8.2 source (PHP itself and its bundled extensions) carries it. */
export const PHP_SOURCE_VERSION = "8.2.36-1~deb12u1";

/** The packages of php8.2's source that the images can install. */
const FROM_PHP_SOURCE = [
  "bcmath",
  "bz2",
  "cli",
  "common",
  "curl",
  "dba",
  "enchant",
  "fpm",
  "gd",
  "gmp",
  "imap",
  "interbase",
  "intl",
  "ldap",
  "mbstring",
  "mysql",
  "odbc",
  "opcache",
  "pgsql",
  "pspell",
  "readline",
  "snmp",
  "soap",
  "sqlite3",
  "sybase",
  "tidy",
  "xml",
  "zip",
];

/** Extensions packaged from sources of their own (PECL's), each with its version. */
const PECL_VERSIONS: Readonly<Record<string, string>> = {
  "php8.2-amqp": "1.11.0-5",
  "php8.2-apcu": "5.1.22+4.0.11-2",
  "php8.2-ds": "1.4.0-5",
  "php8.2-igbinary": "3.2.13-1",
  "php8.2-imagick": "3.7.0-4",
  "php8.2-mailparse": "3.1.4+2.1.7~dev20160128-1",
  "php8.2-maxminddb": "1.11.0-5",
  "php8.2-memcache": "8.0+4.0.5.2+3.0.9~20170802.e702b5f9+-8",
  "php8.2-memcached": "3.2.0+2.2.0-4",
  "php8.2-mongodb": "1.15.0+1.11.1+1.9.2+1.7.5-1",
  "php8.2-msgpack": "1:2.2.0~rc2-3",
  "php8.2-oauth": "2.0.7+1.2.3-16",
  "php8.2-pcov": "1.0.11-5",
  "php8.2-redis": "5.3.7+4.3.0-3",
  "php8.2-ssh2": "1.3.1+0.13-7",
  "php8.2-uuid": "1.2.0-12",
  "php8.2-xdebug": "3.2.0+3.1.6+2.9.8+2.8.1+2.5.5-3",
  "php8.2-yaml": "2.2.2+2.1.0+2.0.4+1.3.2-6",
};

/** Package → version, for every package the image families install. */
export const DEBIAN_VERSIONS: Readonly<Record<string, string>> = {
  // nginx-waf
  nginx: "1.22.1-9+deb12u11",
  "libnginx-mod-http-modsecurity": "1.0.3-1+b2",
  // ModSecurity itself, the engine the connector loads.
  libmodsecurity3: "3.0.9-1+deb12u2",
  "modsecurity-crs": "3.3.4-1+deb12u3",
  "libnginx-mod-http-geoip2": "1:3.4-3",
  // php-fpm
  ...Object.fromEntries(FROM_PHP_SOURCE.map((suffix) => [`php8.2-${suffix}`, PHP_SOURCE_VERSION])),
  ...PECL_VERSIONS,
  composer: "2.5.5-1+deb12u5",
};

/**
 * A Debian version (Debian Policy 5.6.12): an optional numeric epoch, an upstream version starting with a digit,
 * an optional revision.
 */
export const DEBIAN_VERSION = /^(?:\d+:)?\d[A-Za-z0-9.+~-]*$/;

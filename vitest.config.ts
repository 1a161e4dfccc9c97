import { configDefaults, defineConfig } from "vitest/config";

/**
 * System tests run a real external tool: a validator (nginx -t, promtool, ignition-validate, shellcheck,
 * systemd-analyze, docker stack config, openssl, a C compiler), a daemon (etcd, nginx) or network
 * namespaces (root). `npm test` runs them, after scripts/install-validators.sh installs the tools.
 * Every other test file is a unit test: it needs only Node, git and a POSIX shell, runs without root, and
 * `npm run test:unit` runs it on any machine. test/setup/unit-guard.ts holds the unit project to that:
 * a unit test that starts any other program fails, naming it. A file with even one system test is listed
 * here whole.
 */
const SYSTEM_TESTS = [
  "test/cli-conventions.test.ts", // script (a pseudo-terminal for the colour test)
  "test/etcd-cluster.test.ts", // shellcheck
  "test/etcd-real.test.ts", // etcd daemons
  "test/host-apply.test.ts", // shellcheck
  "test/host-firewall.test.ts", // ip netns, nft, systemd-analyze (root)
  "test/ignition.test.ts", // ignition-validate
  "test/nginx.test.ts", // nginx -t
  "test/nginx-behaviour.test.ts", // nginx daemon, openssl
  "test/pki.test.ts", // openssl
  "test/pki-renewal.test.ts", // openssl
  "test/prometheus.test.ts", // promtool
  "test/provision.test.ts", // ignition-validate
  "test/proxysql.test.ts", // cc, pkg-config (libconfig)
  "test/reference-artifacts.test.ts", // ignition-validate, docker, promtool, shellcheck, openssl
  "test/stacks.test.ts", // docker stack config
  "test/swarm-bootstrap.test.ts", // shellcheck
  "test/swarm-scripts.test.ts", // shellcheck
  "test/systemd.test.ts", // systemd-analyze
  "test/xtradb.test.ts", // shellcheck, docker stack config
];

export default defineConfig({
  test: {
    globalSetup: ["test/global-setup.ts"],
    // Real validators (nginx, promtool, etcd, ignition-validate) start processes; give them room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...SYSTEM_TESTS],
          setupFiles: ["test/setup/unit-guard.ts"],
        },
      },
      { extends: true, test: { name: "system", include: SYSTEM_TESTS } },
    ],
  },
});

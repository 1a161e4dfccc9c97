import { configDefaults, defineConfig } from "vitest/config";

/**
 * System tests run a real external tool: a validator (nginx -t, promtool, ignition-validate, shellcheck,
 * systemd-analyze, docker stack config, openssl, a C compiler), a daemon (etcd, nginx) or network
 * namespaces (root). `npm test` runs them, after scripts/install-validators.sh installs the tools.
 * Every other test file is a unit test: it needs only Node, git and a POSIX shell, runs without root, and
 * `npm run test:unit` runs it on any machine. test/setup/unit-guard.ts holds the unit project to that:
 * a unit test that starts any other program fails, naming it. A file with even one system test is named
 * `*.system.test.ts` whole: a family's tests live in test/<family>/, and adding one touches nothing here.
 */
const SYSTEM_TESTS = ["test/**/*.system.test.ts"];

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

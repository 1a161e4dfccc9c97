/**
 * Type tests, checked by `tsc --noEmit` (npm test and npm run test:unit), never executed: the escape
 * hatches (`service.override`, `node.overrideIgnition`) take patches typed from the official schemas, so a
 * misspelt field is a type error in cluster.config.ts, not a silently ignored key.
 * Each `@ts-expect-error` line holds one mistake and nothing else, so it is that mistake that is refused;
 * tsc fails if the line compiles. The `expectTypeOf` lines pin the reason at the type level.
 */
import { expectTypeOf } from "vitest";
import { Cluster, Node, Service, Stack } from "../../src/index.js";

type ServicePatch = Parameters<Service["override"]>[0];
type IgnitionPatch = Parameters<Node["overrideIgnition"]>[0];
type IgnitionFilePatch = NonNullable<NonNullable<NonNullable<IgnitionPatch["storage"]>["files"]>[number]>;
type IgnitionUserPatch = NonNullable<NonNullable<NonNullable<IgnitionPatch["passwd"]>["users"]>[number]>;

export function escapeHatchTypes(): void {
  const cluster = new Cluster({ name: "t", privateNetwork: "10.0.0.0/24", domain: "t.internal", sshAuthorizedKeys: [] });
  const node = new Node(cluster, "a", { tier: "app", privateIp: "10.0.0.1" });
  const service = new Service(new Stack(cluster, "s"), "web", { image: "nginx:1.27" });

  // Accepted: schema fields, nested partially; null deletes a key.
  service.override({ deploy: { replicas: 2, resources: { limits: { memory: "64M" } } } });
  service.override({ deploy: { labels: null } });
  node.overrideIgnition({ passwd: { users: [{ name: "core", sshAuthorizedKeys: ["ssh-ed25519 AAAA"] }] } });

  // Refused: a misspelt key at any depth, and a value of the wrong type.
  // @ts-expect-error `replcas` is not a field of deploy
  service.override({ deploy: { replcas: 2 } });
  // @ts-expect-error `imagee` is not a field of a service
  service.override({ imagee: "nginx:1.28" });
  // @ts-expect-error `sshAuthorizedKey` is not a field of an Ignition user
  node.overrideIgnition({ passwd: { users: [{ name: "core", sshAuthorizedKey: [] }] } });
  // @ts-expect-error an Ignition file mode is a number (0o644), not a string
  node.overrideIgnition({ storage: { files: [{ path: "/x", mode: "0644" }] } });
}

expectTypeOf<ServicePatch>().toHaveProperty("image");
expectTypeOf<ServicePatch>().not.toHaveProperty("imagee");
expectTypeOf<NonNullable<ServicePatch["deploy"]>>().toHaveProperty("replicas");
expectTypeOf<NonNullable<ServicePatch["deploy"]>>().not.toHaveProperty("replcas");
expectTypeOf<IgnitionUserPatch>().toHaveProperty("sshAuthorizedKeys");
expectTypeOf<IgnitionUserPatch>().not.toHaveProperty("sshAuthorizedKey");
expectTypeOf<IgnitionFilePatch["mode"]>().toEqualTypeOf<number | null | undefined>();
